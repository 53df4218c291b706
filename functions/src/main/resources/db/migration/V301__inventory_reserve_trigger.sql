-- inventory_reserve_apply: a reservation is one autocommit INSERT of its detail row; this trigger
-- deducts its items in the same statement. Runs on MySQL 8 and MariaDB 10.6+.
--
-- Measured on MariaDB 11.4 with one connection (docs/benchmarks.md): CALL inventory_reserve (V300)
-- cost about 270 us of server CPU per one-item reservation, this single INSERT about 230 us: no
-- procedure call, no START TRANSACTION / COMMIT statements of its own, one statement for the client.
-- It replaces that procedure, dropped below.
--
-- Atomicity: the INSERT and everything its trigger does are one statement; any error in the trigger
-- (a short item breaking ck_inventory_stock, an unknown goods, a missing stock row) fails the
-- statement, and InnoDB rolls the whole statement back, the detail row included. AFTER INSERT: a
-- repeated order number fails on the primary key before any inventory row is touched. Items come
-- sorted by goods id (the caller sorts them, as stored), so inventory rows are locked in ascending
-- goods id, the one lock order; the hot row is locked from its UPDATE to the commit that ends the
-- statement. Goods are checked with plain SELECTs (consistent reads, no shared locks).
--
-- Every insert into stock_sell_detail is a reservation that deducts its items; nothing else inserts
-- there. @inventory_reserve_pause_ms is a test hook (unset in production): it pauses before the
-- statement commits, once, so a test can kill the connection mid-transaction.
-- The procedure inserted the detail row itself; with this trigger a CALL would deduct twice.
DROP PROCEDURE IF EXISTS inventory_reserve;

DELIMITER $$

CREATE TRIGGER inventory_reserve_apply AFTER INSERT ON stock_sell_detail FOR EACH ROW
BEGIN
    DECLARE v_count INT DEFAULT JSON_LENGTH(NEW.items);
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_goods BIGINT;
    DECLARE v_num INT;
    DECLARE v_pause INT;

    WHILE v_i < v_count DO
        SET v_goods = CAST(JSON_EXTRACT(NEW.items, CONCAT('$[', v_i, '].goodsId')) AS SIGNED);
        IF NOT EXISTS (SELECT 1 FROM goods WHERE id = v_goods AND deleted_at IS NULL) THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory_reserve: unknown goods', MYSQL_ERRNO = 1644;
        END IF;
        SET v_i = v_i + 1;
    END WHILE;

    SET v_i = 0;
    WHILE v_i < v_count DO
        SET v_goods = CAST(JSON_EXTRACT(NEW.items, CONCAT('$[', v_i, '].goodsId')) AS SIGNED);
        SET v_num = CAST(JSON_EXTRACT(NEW.items, CONCAT('$[', v_i, '].num')) AS SIGNED);
        UPDATE inventory SET stock = stock - v_num WHERE goods_id = v_goods;
        IF ROW_COUNT() = 0 THEN
            -- A live goods without a stock row has stock 0.
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory_reserve: no stock row', MYSQL_ERRNO = 1644;
        END IF;
        SET v_i = v_i + 1;
    END WHILE;

    IF @inventory_reserve_pause_ms > 0 THEN
        SET v_pause = @inventory_reserve_pause_ms;
        SET @inventory_reserve_pause_ms = NULL; -- once
        DO SLEEP(v_pause / 1000);
    END IF;
END$$

DELIMITER ;
