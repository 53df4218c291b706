-- Indexes for the catalog's list queries (GET /goods and friends). Every filter of GET /goods has
-- an index that starts with it; deleted_at sits right after the filter column so that the
-- "deleted_at IS NULL" every query carries is part of the index lookup (IS NULL is an equality
-- for the optimizer), and id comes last so that "ORDER BY id DESC LIMIT n" reads the index in
-- order and stops after n rows instead of sorting every match. The query-plan test
-- (shop.catalog.GoodsQueryPlanTest) runs EXPLAIN on each list query shape and fails on a full
-- scan of goods. Runs on MySQL 8 and MariaDB.

-- No filter: live goods, newest first.
CREATE INDEX idx_goods_live_id ON goods (deleted_at, id);
-- topCategory / isTab: category_id IN (...) with the descendants resolved first.
CREATE INDEX idx_goods_category_live ON goods (category_id, deleted_at, id);
-- brand, alone or with a price range.
CREATE INDEX idx_goods_brand_price ON goods (brand_id, deleted_at, shop_price);
-- priceMin / priceMax alone.
CREATE INDEX idx_goods_live_price ON goods (deleted_at, shop_price);
-- The flags, alone or combined (the others are checked on the rows the first one finds).
CREATE INDEX idx_goods_hot ON goods (is_hot, deleted_at, id);
CREATE INDEX idx_goods_new ON goods (is_new, deleted_at, id);
CREATE INDEX idx_goods_on_sale ON goods (on_sale, deleted_at, id);
-- keywords: words of three or more letters through FULLTEXT (InnoDB's default parser: on MariaDB
-- it splits on spaces and punctuation only, so CJK names are one token; see docs/catalog.md).
CREATE FULLTEXT INDEX ft_goods_name ON goods (name);
-- keywords the FULLTEXT index cannot serve (CJK text, words under three letters): a prefix LIKE.
CREATE INDEX idx_goods_name ON goods (name);

-- Paged category-brand links are read by id (the primary key); GET /categories/{id}/brands by
-- category_id (uk_gcb_category_brand). Brands page by id (primary key).
