-- GET /goods at a million goods: every list query shape reads one index in id order and stops after
-- the page (and the capped count after 10,001 entries) instead of sorting every match.
-- Runs on MySQL 8 and MariaDB.

-- topCategory: the goods' category path, so that "a category and all its descendants" is one
-- equality on an index ordered by id, instead of category_id IN (up to hundreds of ids) followed by
-- a sort of every match. category_l1_id is the level-1 ancestor (or the category itself when it is
-- level 1), category_l2_id the level-2 one (NULL for goods filed directly under a level-1 category);
-- a level-3 topCategory is category_id itself. Derived data, kept by JdbcGoodsRepository on insert and
-- update and by JdbcCategoryRepository when a category moves; no foreign keys (category_id has one).
ALTER TABLE goods
    ADD COLUMN category_l1_id BIGINT NULL,
    ADD COLUMN category_l2_id BIGINT NULL;

-- Backfill, soft-deleted goods included; updated_at is kept (the goods did not change).
UPDATE goods g
    JOIN category c ON c.id = g.category_id
    LEFT JOIN category p ON p.id = c.parent_id
SET g.category_l1_id = CASE c.level WHEN 1 THEN c.id WHEN 2 THEN c.parent_id ELSE p.parent_id END,
    g.category_l2_id = CASE c.level WHEN 2 THEN c.id WHEN 3 THEN c.parent_id END,
    g.updated_at     = g.updated_at;

CREATE INDEX idx_goods_category_l1_live ON goods (category_l1_id, deleted_at, id);
CREATE INDEX idx_goods_category_l2_live ON goods (category_l2_id, deleted_at, id);

-- Flags: each flag's index now carries the other two after id, so that a combined filter
-- (isHot + onSale) checks the second flag in the index entry (no row lookup per candidate) both
-- for the page, read in id order, and for the capped count.
DROP INDEX idx_goods_hot ON goods;
DROP INDEX idx_goods_new ON goods;
DROP INDEX idx_goods_on_sale ON goods;
CREATE INDEX idx_goods_hot ON goods (is_hot, deleted_at, id, on_sale, is_new);
CREATE INDEX idx_goods_new ON goods (is_new, deleted_at, id, is_hot, on_sale);
CREATE INDEX idx_goods_on_sale ON goods (on_sale, deleted_at, id, is_hot, is_new);
