-- inventory_reserve: the reserve transaction in one server-side call. Runs on MySQL 8 and MariaDB 10.6+.
--
-- Measured on MariaDB 11.4 with one connection (docs/benchmarks.md): the same statements sent as a
-- client-side multi-statement batch cost about twice as much per reservation, because the server
-- parses the batch text every time; the procedure's body is parsed once per connection and the CALL
-- is a server-side prepared statement. It is also one round trip.
--
-- Order matters: the detail row first (a repeated order number fails here on the primary key,
-- before any inventory row is touched), then every goods checked with plain SELECTs (consistent
-- reads, no locks), and only then the inventory rows, updated in the order given (ascending goods
-- id, sorted by the caller), so the hot row is locked from its UPDATE to the COMMIT just after.
-- A short item breaks ck_inventory_stock (stock >= 0); the handler rolls back and re-raises the
-- original error, which the caller turns into a 409 with the shortages. p_items is the JSON array
-- [{goodsId, num}, ...] that is also stored. p_pause_ms is a test hook (0 in production): it
-- pauses before COMMIT so a test can kill the connection mid-transaction.
DELIMITER $$

CREATE PROCEDURE inventory_reserve(IN p_order_sn VARCHAR(64), IN p_items TEXT, IN p_expires_at DATETIME(3),
                                   IN p_pause_ms INT)
    MODIFIES SQL DATA
BEGIN
    DECLARE v_count INT DEFAULT JSON_LENGTH(p_items);
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_goods BIGINT;
    DECLARE v_num INT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    START TRANSACTION;
    INSERT INTO stock_sell_detail (order_sn, status, items, expires_at)
    VALUES (p_order_sn, 'RESERVED', p_items, p_expires_at);

    WHILE v_i < v_count DO
        SET v_goods = CAST(JSON_EXTRACT(p_items, CONCAT('$[', v_i, '].goodsId')) AS SIGNED);
        IF NOT EXISTS (SELECT 1 FROM goods WHERE id = v_goods AND deleted_at IS NULL) THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory_reserve: unknown goods', MYSQL_ERRNO = 1644;
        END IF;
        SET v_i = v_i + 1;
    END WHILE;

    SET v_i = 0;
    WHILE v_i < v_count DO
        SET v_goods = CAST(JSON_EXTRACT(p_items, CONCAT('$[', v_i, '].goodsId')) AS SIGNED);
        SET v_num = CAST(JSON_EXTRACT(p_items, CONCAT('$[', v_i, '].num')) AS SIGNED);
        UPDATE inventory SET stock = stock - v_num WHERE goods_id = v_goods;
        IF ROW_COUNT() = 0 THEN
            -- A live goods without a stock row has stock 0.
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory_reserve: no stock row', MYSQL_ERRNO = 1644;
        END IF;
        SET v_i = v_i + 1;
    END WHILE;

    IF p_pause_ms > 0 THEN
        DO SLEEP(p_pause_ms / 1000);
    END IF;
    COMMIT;
END$$

DELIMITER ;
