-- Inventory keeps on-hand and reserved apart, and every change to them is explained by a durable record
-- written in the same statement or transaction (the ledger). Runs on MySQL 8 and MariaDB 10.6+.
--
-- Per goods: on_hand (units physically held and sellable), reserved (units held by RESERVED
-- reservations) and available = on_hand - reserved, which the deprecated column `stock` now shows.
-- ck_inventory_reserved enforces 0 <= reserved <= on_hand, as ck_inventory_stock enforced stock >= 0.
--
-- Records:
--   * a reservation row (stock_sell_detail) is the record of its own reserve (reserved + n per item,
--     at created_at, by reserved_by), and of its confirm or release (settled_at, settled_by,
--     return_reason). The reserve path writes nothing else: the benchmark's hot path stays one INSERT.
--   * stock_movement holds everything else: an OPENING row per goods (this migration: on_hand at the
--     origin), COUNT and ADJUSTMENT rows (written by the service in the transaction that changes
--     on_hand), and, written by the settle trigger in the statement that settles a reservation, the
--     reservation's RESERVE row and its CONFIRM or RELEASE row per item, so that a goods' movements are
--     one indexed read (open reservations are read from the live set).
--   * Reconciliation, per goods: on_hand = SUM(on_hand_delta) and
--     reserved = SUM(reserved_delta) + units of the RESERVED reservations. Reservations that were live
--     at the origin are records of their own reserve too; the OPENING row therefore carries
--     reserved_delta 0 (and reserved_after, the units they held).
--
-- Triggers, each the only writer of what it changes: inventory_reserve_apply (reserve, replaces the V302
-- trigger and its test hook: no SLEEP, no session variable), inventory_reservation_guard (a settled
-- reservation is final, items never change; fills the settle columns for writers that do not) and
-- inventory_reservation_settle (confirm: on_hand - n and reserved - n, version + 1; release:
-- reserved - n; the ledger rows). Rows are locked in one order everywhere: the reservation row, then
-- stock rows by ascending goods id (items are stored sorted).
--
-- Deploy window: the data step runs under LOCK TABLES, so no reservation commits between the units
-- being counted and the triggers being swapped (writers wait for the lock, a second or so for a large
-- table). Code of the previous release still reads `stock` (now available) correctly afterwards; its
-- writes of `stock` fail (a generated column cannot be written) and roll back whole, so it can never
-- make the counters disagree with the records. Drop `stock` with the release after next.
--
-- Creating triggers with binary logging on (RDS and Aurora with backups or replicas) and without SUPER
-- needs log_bin_trust_function_creators = 1 in the DB parameter group, as V301 and V203 do.

CREATE TABLE stock_movement (
    id               BIGINT       NOT NULL AUTO_INCREMENT,
    goods_id         BIGINT       NOT NULL,
    kind             VARCHAR(16)  NOT NULL,
    moved_at         DATETIME(3)  NOT NULL,
    on_hand_delta    INT          NOT NULL,
    reserved_delta   INT          NOT NULL,
    order_sn         VARCHAR(64)  NULL,
    reason           VARCHAR(16)  NULL,
    reference        VARCHAR(128) NULL,
    replaced_on_hand INT          NULL,
    on_hand_after    INT          NULL,
    reserved_after   INT          NULL,
    version_after    BIGINT       NULL,
    caller           VARCHAR(128) NOT NULL,
    -- An adjustment's Idempotency-Key (SHA-256 of route, caller and key) and request (SHA-256 of its
    -- content): written with the movement, so a committed adjustment can never run twice.
    idempotency_key  CHAR(64) CHARACTER SET ascii NULL,
    request_hash     CHAR(64) CHARACTER SET ascii NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_movement_idempotency (idempotency_key),
    -- GET /inventory/{goodsId}/movements: newest first, one backward range read per goods.
    KEY idx_movement_goods_time (goods_id, moved_at, id),
    CONSTRAINT ck_movement_kind CHECK (kind IN ('OPENING', 'COUNT', 'ADJUSTMENT', 'RESERVE', 'CONFIRM', 'RELEASE')),
    CONSTRAINT ck_movement_reason CHECK (reason IS NULL OR reason IN ('received', 'returned', 'damaged', 'lost',
        'correction', 'cancelled', 'expired'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- New columns first, outside the lock: code of the previous release never names them.
ALTER TABLE inventory
    ADD COLUMN on_hand  INT NOT NULL DEFAULT 0,
    ADD COLUMN reserved INT NOT NULL DEFAULT 0;

ALTER TABLE stock_sell_detail
    ADD COLUMN requested     JSON         NULL COMMENT 'partial reservations: the items asked for (items holds what was reserved)',
    ADD COLUMN reserved_by   VARCHAR(128) NULL,
    ADD COLUMN settled_at    DATETIME(3)  NULL,
    ADD COLUMN settled_by    VARCHAR(128) NULL,
    ADD COLUMN return_reason VARCHAR(16)  NULL,
    ADD CONSTRAINT ck_detail_return_reason CHECK (return_reason IS NULL OR return_reason IN ('cancelled', 'expired'));

-- The data step and the trigger swap: nothing else writes these tables meanwhile. Aliases a statement
-- uses must be locked by name too.
LOCK TABLES inventory WRITE, inventory AS i WRITE, stock_sell_detail WRITE, stock_sell_detail AS d READ,
    stock_movement WRITE;

-- on_hand := stock + units held by RESERVED reservations; reserved := those units. available (stock) is
-- unchanged for every goods.
UPDATE inventory i
    LEFT JOIN (SELECT j.goods_id, SUM(j.num) AS held
               FROM stock_sell_detail d,
                    JSON_TABLE(d.items, '$[*]' COLUMNS (goods_id BIGINT PATH '$.goodsId', num INT PATH '$.num')) j
               WHERE d.status = 'RESERVED'
               GROUP BY j.goods_id) h ON h.goods_id = i.goods_id
SET i.reserved = COALESCE(h.held, 0),
    i.on_hand  = i.stock + COALESCE(h.held, 0);

-- The origin: one OPENING record per goods with a stock row. replaced_on_hand keeps the old `stock`.
INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, replaced_on_hand, on_hand_after,
                            reserved_after, version_after, caller)
SELECT goods_id, 'OPENING', UTC_TIMESTAMP(3), on_hand, 0, stock, on_hand, reserved, version, 'migration V303'
FROM inventory;

DROP TRIGGER inventory_reserve_apply;

DELIMITER $$

-- Reserve: the INSERT of a RESERVED row adds each item to its goods' reserved, in ascending goods id.
-- A short item breaks ck_inventory_reserved (4025 on MariaDB, 3819 on MySQL); a deleted goods (not
-- sellable) or a missing stock row raises 1644; either fails the whole statement, row included.
CREATE TRIGGER inventory_reserve_apply AFTER INSERT ON stock_sell_detail FOR EACH ROW
BEGIN
    DECLARE v_count INT DEFAULT JSON_LENGTH(NEW.items);
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_goods BIGINT;
    DECLARE v_num INT;

    IF NEW.status <> 'RESERVED' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory: a reservation starts RESERVED', MYSQL_ERRNO = 1644;
    END IF;
    WHILE v_i < v_count DO
        -- Plain variables, so the UPDATE is a primary-key lookup on a constant.
        SET v_goods = CAST(JSON_EXTRACT(NEW.items, CONCAT('$[', v_i, '].goodsId')) AS SIGNED);
        SET v_num = CAST(JSON_EXTRACT(NEW.items, CONCAT('$[', v_i, '].num')) AS SIGNED);
        IF v_num IS NULL OR v_num < 1 THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory: an item reserves at least one unit', MYSQL_ERRNO = 1644;
        END IF;
        UPDATE inventory SET reserved = reserved + v_num WHERE goods_id = v_goods AND sellable;
        IF ROW_COUNT() = 0 THEN
            -- A deleted goods, or a live one without a stock row (nothing on hand).
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory_reserve: goods not reservable', MYSQL_ERRNO = 1644;
        END IF;
        SET v_i = v_i + 1;
    END WHILE;
END$$

-- A reservation's identity and items are its record; once settled it is final. Settling fills what a
-- writer left out, so the record is complete whoever wrote it.
CREATE TRIGGER inventory_reservation_guard BEFORE UPDATE ON stock_sell_detail FOR EACH ROW
BEGIN
    IF NEW.order_sn <> OLD.order_sn OR NOT (NEW.items <=> OLD.items) OR NOT (NEW.requested <=> OLD.requested)
            OR NOT (NEW.created_at <=> OLD.created_at) OR NOT (NEW.reserved_by <=> OLD.reserved_by) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory: a reservation''s items never change', MYSQL_ERRNO = 1644;
    END IF;
    IF OLD.status <> 'RESERVED' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory: a settled reservation is final', MYSQL_ERRNO = 1644;
    END IF;
    IF NEW.status <> 'RESERVED' THEN
        SET NEW.settled_at = COALESCE(NEW.settled_at, UTC_TIMESTAMP(3));
        SET NEW.settled_by = COALESCE(NEW.settled_by, 'database');
        IF NEW.status = 'RETURNED' THEN
            SET NEW.return_reason = COALESCE(NEW.return_reason,
                IF(OLD.expires_at <= NEW.settled_at, 'expired', 'cancelled'));
        ELSE
            SET NEW.return_reason = NULL;
        END IF;
    ELSEIF NEW.settled_at IS NOT NULL OR NEW.settled_by IS NOT NULL OR NEW.return_reason IS NOT NULL THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory: an open reservation is not settled', MYSQL_ERRNO = 1644;
    END IF;
END$$

-- Confirm (the units are sold): on_hand - n and reserved - n, and on_hand's version moves. Release
-- (cancel or expiry): reserved - n. In the same statement, per item, the reservation's RESERVE row and
-- its CONFIRM or RELEASE row go into the ledger.
CREATE TRIGGER inventory_reservation_settle AFTER UPDATE ON stock_sell_detail FOR EACH ROW
BEGIN
    DECLARE v_count INT DEFAULT JSON_LENGTH(OLD.items);
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_goods BIGINT;
    DECLARE v_num INT;
    DECLARE v_confirm BOOLEAN DEFAULT NEW.status = 'CONFIRMED';

    IF OLD.status = 'RESERVED' AND NEW.status <> 'RESERVED' THEN
        WHILE v_i < v_count DO
            SET v_goods = CAST(JSON_EXTRACT(OLD.items, CONCAT('$[', v_i, '].goodsId')) AS SIGNED);
            SET v_num = CAST(JSON_EXTRACT(OLD.items, CONCAT('$[', v_i, '].num')) AS SIGNED);
            IF v_confirm THEN
                UPDATE inventory SET on_hand = on_hand - v_num, reserved = reserved - v_num, version = version + 1
                WHERE goods_id = v_goods;
            ELSE
                UPDATE inventory SET reserved = reserved - v_num WHERE goods_id = v_goods;
            END IF;
            IF ROW_COUNT() = 0 THEN
                SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'inventory: a reserved goods lost its stock row', MYSQL_ERRNO = 1644;
            END IF;
            INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, order_sn, reason, caller)
            VALUES (v_goods, 'RESERVE', OLD.created_at, 0, v_num, OLD.order_sn, NULL, COALESCE(OLD.reserved_by, 'unrecorded')),
                   (v_goods, IF(v_confirm, 'CONFIRM', 'RELEASE'), NEW.settled_at, IF(v_confirm, -v_num, 0), -v_num,
                    OLD.order_sn, NEW.return_reason, NEW.settled_by);
            SET v_i = v_i + 1;
        END WHILE;
    END IF;
END$$

DELIMITER ;

-- `stock` becomes what it always meant to readers, available, and can no longer be written.
ALTER TABLE inventory
    DROP CONSTRAINT ck_inventory_stock,
    DROP COLUMN stock,
    ADD COLUMN stock INT AS (on_hand - reserved) VIRTUAL COMMENT 'deprecated: available; dropped after the next release',
    ADD CONSTRAINT ck_inventory_reserved CHECK (reserved >= 0 AND reserved <= on_hand);

UNLOCK TABLES;
