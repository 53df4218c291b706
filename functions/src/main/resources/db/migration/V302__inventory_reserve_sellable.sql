-- inventory_reserve_apply without the goods lookups: whether a goods may be reserved now lives in its
-- stock row (inventory.sellable), kept by a trigger on goods, so the reserve trigger only updates
-- stock rows. Runs on MySQL 8 and MariaDB 10.6+.
--
-- Measured on MariaDB 11.4, one connection, one-item reservations (docs/benchmarks.md): the V301
-- trigger cost about 210 us of server CPU per reservation, of which the goods check (a SELECT per
-- item, then a second pass over the JSON) about 50 us; without it about 160 us. The ceiling's bare
-- UPDATE costs about 80 us and the detail INSERT alone about 65 us.
--
-- Semantics are unchanged: a reservation naming a goods that is deleted (or has no stock row) fails as
-- a whole, nothing deducted, and the repository's lock-free read then tells unknown goods (404) from
-- short ones (409). It is stricter under a race: deleting a goods now updates its stock row, so it
-- waits for, or is waited on by, a reservation of that goods, where the V301 check was a plain read.
--
-- Creating triggers with binary logging on (RDS and Aurora with backups or replicas) and without
-- SUPER needs log_bin_trust_function_creators = 1 in the DB parameter group, as V301 and V203 do.

ALTER TABLE inventory ADD COLUMN sellable BOOLEAN NOT NULL DEFAULT TRUE;

UPDATE inventory i JOIN goods g ON g.id = i.goods_id
SET i.sellable = (g.deleted_at IS NULL);

DELIMITER $$

-- A goods' stock row follows its soft delete (and an undelete, should one ever be written).
CREATE TRIGGER inventory_goods_sellable AFTER UPDATE ON goods FOR EACH ROW
BEGIN
    IF (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) THEN
        UPDATE inventory SET sellable = (NEW.deleted_at IS NULL) WHERE goods_id = NEW.id;
    END IF;
END$$

DROP TRIGGER inventory_reserve_apply$$

-- Items come sorted by goods id (the caller sorts them, as stored), so stock rows are locked in
-- ascending goods id, the one lock order; the hot row is locked from its UPDATE to the commit that
-- ends the statement. Any SIGNAL or a short item breaking ck_inventory_stock fails the whole
-- statement, detail row included. @inventory_reserve_pause_ms is the test hook of V301.
CREATE TRIGGER inventory_reserve_apply AFTER INSERT ON stock_sell_detail FOR EACH ROW
BEGIN
    DECLARE v_count INT DEFAULT JSON_LENGTH(NEW.items);
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_goods BIGINT;
    DECLARE v_num INT;
    DECLARE v_pause INT;

    WHILE v_i < v_count DO
        -- Plain variables, so the UPDATE is a primary-key lookup on a constant.
        SET v_goods = CAST(JSON_EXTRACT(NEW.items, CONCAT('$[', v_i, '].goodsId')) AS SIGNED);
        SET v_num = CAST(JSON_EXTRACT(NEW.items, CONCAT('$[', v_i, '].num')) AS SIGNED);
        UPDATE inventory SET stock = stock - v_num WHERE goods_id = v_goods AND sellable;
        IF ROW_COUNT() = 0 THEN
            -- A deleted goods, or a live one without a stock row (stock 0).
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory_reserve: goods not reservable', MYSQL_ERRNO = 1644;
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
