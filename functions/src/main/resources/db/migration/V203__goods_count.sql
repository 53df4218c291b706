-- goods_count: how many live goods each category holds per combination of the three flags, so that
-- the exact total of GET /goods for a filter made only of isHot/isNew/onSale/isTab/topCategory (or no
-- filter) sums a few counter rows instead of counting goods: its cost depends on the number of
-- categories, not on the number of goods. Runs on MySQL 8 and MariaDB 10.6+.
--
-- Kept by the triggers below, so every write path keeps it right without knowing it: the repository,
-- SampleData, fixtures and bulk loads with plain SQL. A live goods is one with deleted_at NULL; a soft
-- delete, a flag change or a category change moves one goods from one row to another. Only changes
-- of category_id, is_hot, is_new, on_sale or whether deleted_at is set touch a counter (a rename, a
-- price change or a category path rewrite by a category move do not: the counters are per category,
-- and topCategory finds the subtree's categories through the category table when counting).
--
-- Concurrency: a trigger runs inside the statement that changed the goods, so its counter update
-- commits or rolls back with it, and the counter row stays locked (X) until that commit: two
-- concurrent writes to the same combination queue on the row and both count (no lost update); a
-- rolled back write leaves no trace. A one-goods write that moves it between two rows locks the lower
-- key first, so two opposite moves cannot deadlock on the counters. Writes to one combination are
-- serialised by the row lock, for as long as their statement (autocommit) or transaction runs.
--
-- TRUNCATE TABLE goods fires no trigger: whatever truncates goods must truncate goods_count too.
-- Counter rows are never deleted (a count of 0 stays); there is no foreign key to category so that
-- such a row never blocks deleting a category.
--
-- Binary logging (Amazon RDS for MySQL or MariaDB and Aurora MySQL turn it on with automated backups
-- or replicas): creating a trigger without the SUPER privilege then needs
-- log_bin_trust_function_creators = 1 (on RDS, in the DB parameter group), as for V301's trigger.
-- Without binary logging, as in the local stack, nothing is needed.

CREATE TABLE goods_count (
    category_id BIGINT  NOT NULL,
    is_hot      BOOLEAN NOT NULL,
    is_new      BOOLEAN NOT NULL,
    on_sale     BOOLEAN NOT NULL,
    n           BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (category_id, is_hot, is_new, on_sale)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

DELIMITER $$

CREATE TRIGGER goods_count_insert AFTER INSERT ON goods FOR EACH ROW
BEGIN
    IF NEW.deleted_at IS NULL THEN
        INSERT INTO goods_count (category_id, is_hot, is_new, on_sale, n)
        VALUES (NEW.category_id, NEW.is_hot, NEW.is_new, NEW.on_sale, 1)
        ON DUPLICATE KEY UPDATE n = n + 1;
    END IF;
END$$

CREATE TRIGGER goods_count_update AFTER UPDATE ON goods FOR EACH ROW
BEGIN
    DECLARE v_was_live BOOLEAN DEFAULT OLD.deleted_at IS NULL;
    DECLARE v_is_live BOOLEAN DEFAULT NEW.deleted_at IS NULL;
    IF NOT (v_was_live <=> v_is_live AND OLD.category_id <=> NEW.category_id AND OLD.is_hot <=> NEW.is_hot
            AND OLD.is_new <=> NEW.is_new AND OLD.on_sale <=> NEW.on_sale) THEN
        -- Lower key first (one lock order for every move).
        IF v_was_live AND (NOT v_is_live OR (OLD.category_id, OLD.is_hot, OLD.is_new, OLD.on_sale)
                < (NEW.category_id, NEW.is_hot, NEW.is_new, NEW.on_sale)) THEN
            UPDATE goods_count SET n = n - 1
            WHERE category_id = OLD.category_id AND is_hot = OLD.is_hot AND is_new = OLD.is_new
              AND on_sale = OLD.on_sale;
            SET v_was_live = FALSE;
        END IF;
        IF v_is_live THEN
            INSERT INTO goods_count (category_id, is_hot, is_new, on_sale, n)
            VALUES (NEW.category_id, NEW.is_hot, NEW.is_new, NEW.on_sale, 1)
            ON DUPLICATE KEY UPDATE n = n + 1;
        END IF;
        IF v_was_live THEN
            UPDATE goods_count SET n = n - 1
            WHERE category_id = OLD.category_id AND is_hot = OLD.is_hot AND is_new = OLD.is_new
              AND on_sale = OLD.on_sale;
        END IF;
    END IF;
END$$

CREATE TRIGGER goods_count_delete AFTER DELETE ON goods FOR EACH ROW
BEGIN
    IF OLD.deleted_at IS NULL THEN
        UPDATE goods_count SET n = n - 1
        WHERE category_id = OLD.category_id AND is_hot = OLD.is_hot AND is_new = OLD.is_new
          AND on_sale = OLD.on_sale;
    END IF;
END$$

DELIMITER ;

-- Backfill, after the triggers exist so that no write falls between the two: rows that triggers made
-- meanwhile are reset and overwritten with the count. INSERT ... SELECT reads goods with shared locks,
-- so goods writes wait for it rather than slip past it; only a write between the two statements could
-- leave a counter off. The same two statements rebuild the counters from goods at any time (e.g.
-- after such a race, or a load that bypassed triggers).
UPDATE goods_count SET n = 0;
INSERT INTO goods_count (category_id, is_hot, is_new, on_sale, n)
SELECT * FROM (SELECT category_id, is_hot, is_new, on_sale, COUNT(*) AS live
               FROM goods WHERE deleted_at IS NULL
               GROUP BY category_id, is_hot, is_new, on_sale) counted
ON DUPLICATE KEY UPDATE n = counted.live;
