-- A keyword search reads a word's goods newest first (ORDER BY goods_id DESC): the seek's window
-- and page, the exact read of a small word, the walk. The primary key (word, goods_id) held ids
-- ascending, so each of those reads went backwards through the clustered index, which InnoDB does
-- about 2.5 times slower than forwards (measured on MariaDB 11.4 at 1M goods: 1,675 entries of one
-- word in 0.78 ms backwards, 0.30 ms forwards). The key is rebuilt with goods_id descending, so that
-- newest first is a forward read; lookups by (word, goods_id) and the range read of a prefix's words
-- are unchanged.
-- Runs on MySQL 8 and MariaDB 10.8+ (both store descending key parts; MySQL then turns off change
-- buffering for idx_goods_word_goods, which the catalog's small writes do not need).

ALTER TABLE goods_word
    DROP PRIMARY KEY,
    ADD PRIMARY KEY (word, goods_id DESC);
