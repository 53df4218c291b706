package shop.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import shop.platform.error.InvalidInputException;
import shop.platform.json.Json;

/**
 * JdbcGoodsRepository is the {@link GoodsRepository} on MySQL/MariaDB.
 *
 * <p>A list page is one statement: the ids of the page from goods alone ({@code ORDER BY id DESC
 * LIMIT/OFFSET}, which the filter's index serves in order; the list indexes hold id descending, see
 * V205, so that newest first is a forward read), in a derived table joined with the goods rows and
 * their category and brand names (primary keys). A filter made only of flags and categories (or
 * none) is counted exactly from goods_count, the live goods per category and flag combination that
 * triggers on goods keep (V203), and a brand with or without a price band from
 * goods_brand_price_count (V206): those totals come in the page statement itself. Any other count
 * is a second statement, when the page does not show where the list ends, and stops at a cap, so
 * that counting a million goods costs what counting ten thousand does. topCategory reads the goods'
 * category path ({@code category_l1_id}, {@code category_l2_id}, see V202), which insert and update
 * compute from the category and {@link JdbcCategoryRepository} rewrites when a category moves.
 * Keyword searches go through {@link KeywordSearch}.
 */
final class JdbcGoodsRepository implements GoodsRepository {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final String COLUMNS = """
            SELECT g.id, g.name, g.goods_sn, g.category_id, c.name AS category_name, g.brand_id,
                   b.name AS brand_name, b.logo AS brand_logo, g.market_price, g.shop_price, g.goods_brief,
                   g.ship_free, g.is_new, g.is_hot, g.on_sale, g.goods_front_image, g.images, g.desc_images,
                   g.click_num, g.sold_num, g.fav_num
            """;
    private static final String NAMES = """
            JOIN category c ON c.id = g.category_id
            JOIN brand b ON b.id = g.brand_id
            """;
    private static final String SELECT = COLUMNS + "FROM goods g\n" + NAMES;
    /** COUNTS_AT is the position of the first counter column after {@link #COLUMNS} (21 columns). */
    private static final int COUNTS_AT = 22;
    /**
     * PATH_L1 and PATH_L2 compute a goods' category path (see V202) from its category id, the one
     * parameter of each: the level-1 and level-2 ancestors-or-self. Levels are at most three.
     */
    static final String PATH_L1 = "(SELECT CASE c.level WHEN 1 THEN c.id WHEN 2 THEN c.parent_id ELSE p.parent_id END"
            + " FROM category c LEFT JOIN category p ON p.id = c.parent_id WHERE c.id = ?)";
    static final String PATH_L2 = "(SELECT CASE c.level WHEN 2 THEN c.id WHEN 3 THEN c.parent_id END"
            + " FROM category c WHERE c.id = ?)";
    /** REPATH rewrites the category path of the goods a WHERE clause on {@code g} selects (updated_at is kept). */
    static final String REPATH = """
            UPDATE goods g
                JOIN category c ON c.id = g.category_id
                LEFT JOIN category p ON p.id = c.parent_id
            SET g.category_l1_id = CASE c.level WHEN 1 THEN c.id WHEN 2 THEN c.parent_id ELSE p.parent_id END,
                g.category_l2_id = CASE c.level WHEN 2 THEN c.id WHEN 3 THEN c.parent_id END,
                g.updated_at = g.updated_at
            """;
    /** DEEP_READ_AHEAD is how many ids past the page a deep page reads to reach the count cap. */
    private static final int DEEP_READ_AHEAD = 100;
    private final Jdbc jdbc;
    private final KeywordSearch keywords;
    private final BrandBandPlanner bands;

    JdbcGoodsRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.keywords = new KeywordSearch(jdbc);
        this.bands = new BrandBandPlanner(this::histogram);
    }

    /** histogram reads a brand's live goods per price bucket (V206) for {@link BrandBandPlanner}. */
    private BrandBandPlanner.Histogram histogram(long brandId) {
        List<long[]> rows = jdbc.query("SELECT bucket, n FROM goods_brand_price_count WHERE brand_id = ? AND n > 0"
                + " ORDER BY bucket", rs -> new long[] {rs.getLong(1), rs.getLong(2)}, brandId);
        int[] buckets = new int[rows.size()];
        long[] counts = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            buckets[i] = (int) rows.get(i)[0];
            counts[i] = rows.get(i)[1];
        }
        return new BrandBandPlanner.Histogram(buckets, counts, BrandBandPlanner.expiry());
    }

    /** Sql is a statement and its parameters. */
    record Sql(String text, List<Object> params) {
        Object[] args() {
            return params.toArray();
        }
    }

    @Override
    public Optional<Goods> find(long id) {
        return jdbc.queryOne(SELECT + "WHERE g.id = ? AND g.deleted_at IS NULL", JdbcGoodsRepository::map, id);
    }

    @Override
    public boolean isLive(long id) {
        return jdbc.queryLong("SELECT COUNT(*) FROM goods WHERE id = ? AND deleted_at IS NULL", id) > 0;
    }

    @Override
    public boolean snTaken(String goodsSn, long exceptId) {
        return jdbc.queryLong("SELECT COUNT(*) FROM goods WHERE live_goods_sn = ? AND id <> ?", goodsSn, exceptId) > 0;
    }

    @Override
    public long insert(GoodsRow r) {
        try {
            return jdbc.inTransaction(() -> {
                long id = jdbc.insert("""
                        INSERT INTO goods (name, goods_sn, category_id, brand_id, market_price, shop_price, goods_brief,
                                           ship_free, is_new, is_hot, on_sale, goods_front_image, images, desc_images,
                                           category_l1_id, category_l2_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, """ + PATH_L1 + ", " + PATH_L2 + ")",
                        r.name(), r.goodsSn(), r.categoryId(), r.brandId(), r.marketPrice(), r.shopPrice(),
                        r.goodsBrief(), r.shipFree(), r.isNew(), r.isHot(), r.onSale(), r.frontImage(),
                        json(r.images()), json(r.descImages()), r.categoryId(), r.categoryId());
                apply(GoodsWordIndex.add(Map.of(id, r.name())));
                return id;
            });
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, r);
        }
    }

    @Override
    public boolean update(long id, GoodsRow r) {
        try {
            return jdbc.inTransaction(() -> {
                boolean updated = jdbc.update("""
                        UPDATE goods SET name = ?, goods_sn = ?, category_id = ?, brand_id = ?, market_price = ?,
                                         shop_price = ?, goods_brief = ?, ship_free = ?, is_new = ?, is_hot = ?,
                                         on_sale = ?, goods_front_image = ?, images = ?, desc_images = ?,
                                         category_l1_id = """ + PATH_L1 + ", category_l2_id = " + PATH_L2 + """
                        WHERE id = ? AND deleted_at IS NULL
                        """, r.name(), r.goodsSn(), r.categoryId(), r.brandId(), r.marketPrice(), r.shopPrice(),
                        r.goodsBrief(), r.shipFree(), r.isNew(), r.isHot(), r.onSale(), r.frontImage(),
                        json(r.images()), json(r.descImages()), r.categoryId(), r.categoryId(), id) > 0;
                if (updated) {
                    reindex(id, r.name());
                }
                return updated;
            });
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, r);
        }
    }

    @Override
    public boolean setFlags(long id, Boolean isNew, Boolean isHot, Boolean onSale) {
        return jdbc.update("""
                UPDATE goods SET is_new = COALESCE(?, is_new), is_hot = COALESCE(?, is_hot), on_sale = COALESCE(?, on_sale)
                WHERE id = ? AND deleted_at IS NULL
                """, isNew, isHot, onSale, id) > 0;
    }

    @Override
    public boolean softDelete(long id) {
        return jdbc.inTransaction(() -> {
            boolean deleted = jdbc.update(
                    "UPDATE goods SET deleted_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND deleted_at IS NULL", id) > 0;
            if (deleted) {
                reindex(id, null); // a deleted goods leaves the word index
            }
            return deleted;
        });
    }

    /**
     * reindex moves a goods' entries in the word index to the words of its new name (null: none),
     * in the caller's transaction, after the goods row was written (so its row lock orders
     * concurrent writes of the same goods).
     */
    private void reindex(long id, String name) {
        Set<String> stored = Set.copyOf(jdbc.query("SELECT word FROM goods_word WHERE goods_id = ?",
                rs -> rs.getString(1), id));
        apply(GoodsWordIndex.change(id, stored, name));
    }

    private void apply(List<GoodsWordIndex.Write> writes) {
        for (GoodsWordIndex.Write w : writes) {
            jdbc.update(w.sql(), w.params().toArray());
        }
    }

    @Override
    public Found search(GoodsFilter filter, int offset, int limit, int countCap) {
        if (filter.matchesNothing()) {
            return new Found(0, false, List.of());
        }
        if (filter.keywords() != null) {
            KeywordSearch.Result found = keywords.search(filter, offset, limit);
            boolean capped = found.total() > countCap;
            return new Found(capped ? countCap : found.total(), capped, found.estimated(), rows(found.ids()));
        }
        // One goods more than the page shows whether the list goes on; near the cap, the ids up to the
        // cap's next one settle the total without a count (a deep page costs one index read, not two).
        // Flag and category filters have an exact total from the counters: no read-ahead needed.
        boolean counted = countedExactly(filter) || countedByBrand(filter);
        int toCap = countCap + 1 - offset;
        int fetch = !counted && toCap > limit && toCap <= limit + DEEP_READ_AHEAD ? toCap : limit + 1;
        List<Goods> items;
        int found;
        long[] counts = null; // the counters' parts of the total (see counterColumns), when read
        if (fetch == limit + 1) {
            // ids, rows and (from counters) the total in one round trip
            Sql counters = counted ? counterColumns(filter, countCap + 1) : null;
            Sql page = pageSql(filter, offset, fetch, counters, bandPlan(filter, offset, fetch));
            long[][] first = new long[1][];
            List<Goods> rows = jdbc.query(page.text(), rs -> {
                if (counters != null && first[0] == null) {
                    first[0] = new long[] {rs.getLong(COUNTS_AT), rs.getLong(COUNTS_AT + 1), rs.getLong(COUNTS_AT + 2)};
                }
                return map(rs);
            }, page.args());
            counts = first[0];
            found = rows.size();
            items = found > limit ? rows.subList(0, limit) : rows;
        } else {
            Sql page = pageIdsSql(filter, offset, fetch, bandPlan(filter, offset, fetch)); // the read-ahead ids are counted, not read whole
            List<Long> ids = jdbc.query(page.text(), rs -> rs.getLong(1), page.args());
            found = ids.size();
            items = rows(ids.stream().limit(limit).toList());
        }
        long total;
        boolean capped = false;
        if (found < fetch && (found > 0 || offset == 0)) {
            total = (long) offset + found; // the page shows where the list ends
        } else if (counted) {
            if (counts == null) { // a page past the end read no row to carry them
                Sql count = counterColumns(filter, countCap + 1);
                counts = jdbc.queryOne("SELECT " + count.text(),
                        rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, count.args()).orElseThrow();
            }
            total = counts[0] + counts[1] + counts[2]; // exact, unless a brand's end bucket reached the cap
            if (counts[1] > countCap || counts[2] > countCap) {
                total = countCap;
                capped = true;
            }
        } else if (found == fetch && fetch == toCap) {
            total = countCap + 1L; // the cap's next match exists
        } else {
            Sql count = countSql(filter, countCap + 1);
            total = jdbc.queryLong(count.text(), count.args());
        }
        if (total > countCap && !counted) {
            total = countCap;
            capped = true;
        }
        return new Found(total, capped, List.copyOf(items));
    }

    /**
     * bandPlan is the index to read a brand's price band on ({@link BrandBandPlanner}), or null to
     * leave the choice to the optimizer (any other filter).
     */
    private BrandBandPlanner.Plan bandPlan(GoodsFilter f, int offset, int rows) {
        if (!countedByBrand(f) || (f.priceMin() == null && f.priceMax() == null)) {
            return null;
        }
        return bands.plan(f.brandId(), priceFrom(f), priceTo(f), offset, rows);
    }

    /** rows reads goods by id, in the order of the ids. */
    private List<Goods> rows(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Goods> rows = new ArrayList<>(jdbc.query(SELECT + "WHERE g.id IN (" + Jdbc.placeholders(ids.size()) + ")",
                JdbcGoodsRepository::map, ids.toArray()));
        Map<Long, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            position.put(ids.get(i), i);
        }
        rows.sort(Comparator.comparingInt(g -> position.get(g.id())));
        return rows;
    }

    /**
     * pageIdsSql is the query for the ids of one page (package-private for the query-plan test): it
     * reads the filter's index in id order (descending in the index, V205) and stops after the page.
     * Keyword searches go through {@link KeywordSearch} instead.
     */
    static Sql pageIdsSql(GoodsFilter filter, int offset, int limit) {
        return pageIdsSql(filter, offset, limit, null);
    }

    /** pageIdsSql on the index of {@code plan} (FORCE INDEX), or the optimizer's choice when null. */
    static Sql pageIdsSql(GoodsFilter filter, int offset, int limit, BrandBandPlanner.Plan plan) {
        Sql where = where(filter);
        List<Object> params = new ArrayList<>(where.params());
        params.add(limit);
        params.add(offset);
        String hint = plan == null ? "" : " FORCE INDEX (" + plan.index + ")";
        return new Sql("SELECT g.id FROM goods g" + hint + " WHERE " + where.text()
                + " ORDER BY g.id DESC LIMIT ? OFFSET ?", params);
    }

    /**
     * pageSql is one page of goods rows with their category and brand names, newest first: the page's
     * ids ({@link #pageIdsSql}, index only) in a derived table, then each row by primary key, so that
     * the rows skipped by the offset are never read whole (package-private for the query-plan test).
     */
    static Sql pageSql(GoodsFilter filter, int offset, int limit) {
        return pageSql(filter, offset, limit, null, null);
    }

    /**
     * pageSql with {@code counters} (see {@link #counterColumns}, or null) adds them after the goods
     * columns, at {@link #COUNTS_AT}: uncorrelated scalar subqueries, run once for the statement; a
     * {@code plan} (or null) picks the index of a brand's price band.
     */
    static Sql pageSql(GoodsFilter filter, int offset, int limit, Sql counters, BrandBandPlanner.Plan plan) {
        Sql ids = pageIdsSql(filter, offset, limit, plan);
        List<Object> params = new ArrayList<>();
        String columns = COLUMNS;
        if (counters != null) {
            columns = COLUMNS.stripTrailing() + ", " + counters.text() + "\n";
            params.addAll(counters.params());
        }
        params.addAll(ids.params());
        return new Sql(columns + "FROM (" + ids.text() + ") p\nJOIN goods g ON g.id = p.id\n" + NAMES
                + "ORDER BY g.id DESC", params);
    }

    /**
     * counterColumns is the total of a filter counted from counters ({@link #countedExactly}: goods_count;
     * {@link #countedByBrand}: goods_brand_price_count), as three select-list expressions whose sum is
     * the total; the second and third count goods of a brand's end price buckets up to {@code upTo}
     * (more means the total is capped), and are 0 for the others.
     */
    static Sql counterColumns(GoodsFilter f, int upTo) {
        if (countedByBrand(f)) {
            return brandCountColumns(f, upTo);
        }
        Sql count = exactCountSql(f);
        return new Sql("(" + count.text() + "), 0, 0", count.params());
    }

    /**
     * countedExactly tells whether a filter is made only of flags and categories (isHot, isNew,
     * onSale, topCategory, isTab) or is empty: those are counted exactly from goods_count (V203).
     */
    static boolean countedExactly(GoodsFilter f) {
        return f.brandId() == null && f.priceMin() == null && f.priceMax() == null && f.keywords() == null
                && f.ids() == null;
    }

    /**
     * exactCountSql counts the matches of a {@link #countedExactly} filter from goods_count, the live
     * goods per category and flag combination that triggers on goods keep (V203): it sums at most
     * eight rows per category whatever the number of goods, and never reads goods. topCategory finds
     * the subtree's categories in the category table first (three levels at most, each by index) and
     * reads only their counters (the primary key starts with category_id; {@code IN (subquery with
     * UNION)} would instead run the subquery for every counter row); isTab uses the category ids the
     * service resolved, as the page query does (package-private for the query-plan test).
     */
    static Sql exactCountSql(GoodsFilter f) {
        String from = "goods_count gc";
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        conditions.add("TRUE");
        if (f.subtree() != null) {
            long id = f.subtree().categoryId();
            String self = "SELECT c.id FROM category c WHERE c.id = ?";
            String children = " UNION ALL SELECT c.id FROM category c WHERE c.parent_id = ?";
            String grandchildren = " UNION ALL SELECT c.id FROM category c JOIN category p ON c.parent_id = p.id"
                    + " WHERE p.parent_id = ?";
            switch (f.subtree().level()) {
                case 1 -> {
                    from = "(" + self + children + grandchildren + ") s JOIN goods_count gc ON gc.category_id = s.id";
                    params.addAll(List.of(id, id, id));
                }
                case 2 -> {
                    from = "(" + self + children + ") s JOIN goods_count gc ON gc.category_id = s.id";
                    params.addAll(List.of(id, id));
                }
                default -> {
                    conditions.add("gc.category_id = ?");
                    params.add(id);
                }
            }
        }
        if (f.categoryIds() != null) {
            conditions.add("gc.category_id IN (" + Jdbc.placeholders(f.categoryIds().size()) + ")");
            params.addAll(f.categoryIds());
        }
        if (f.isHot() != null) {
            conditions.add("gc.is_hot = ?");
            params.add(f.isHot());
        }
        if (f.isNew() != null) {
            conditions.add("gc.is_new = ?");
            params.add(f.isNew());
        }
        if (f.onSale() != null) {
            conditions.add("gc.on_sale = ?");
            params.add(f.onSale());
        }
        return new Sql("SELECT COALESCE(SUM(gc.n), 0) FROM " + from + " WHERE " + String.join(" AND ", conditions),
                params);
    }

    /**
     * countedByBrand tells whether a filter is a brand alone or a brand with priceMin and/or priceMax:
     * those are counted from goods_brand_price_count (V206).
     */
    static boolean countedByBrand(GoodsFilter f) {
        return f.brandId() != null && f.isHot() == null && f.isNew() == null && f.onSale() == null
                && f.categoryIds() == null && f.subtree() == null && f.keywords() == null && f.ids() == null;
    }

    /**
     * brandCountSql counts a {@link #countedByBrand} filter in three parts, one row: the counters of
     * the price buckets wholly inside the band (goods_brand_price_count, V206; at most 90 rows per
     * power of ten of the band), and the goods of the band in each of the two buckets its ends cut,
     * counted on idx_goods_brand_price up to {@code upTo} each (a bucket spans 1% to 10% of its
     * prices, so these are a small part of the band). Package-private for the query-plan test.
     */
    static Sql brandCountSql(GoodsFilter f, int upTo) {
        Sql columns = brandCountColumns(f, upTo);
        return new Sql("SELECT " + columns.text(), columns.params());
    }

    /** brandCountColumns is {@link #brandCountSql}'s three parts as select-list expressions. */
    private static Sql brandCountColumns(GoodsFilter f, int upTo) {
        long brand = f.brandId();
        long min = priceFrom(f);
        long max = priceTo(f);
        int first = PriceBuckets.of(min);
        int last = PriceBuckets.of(max);
        boolean firstWhole = min == PriceBuckets.low(first);
        boolean lastWhole = max == PriceBuckets.high(last);
        String part = "(SELECT COUNT(*) FROM (SELECT 1 FROM goods g WHERE g.brand_id = ? AND g.deleted_at IS NULL"
                + " AND g.shop_price BETWEEN ? AND ? LIMIT ?) p%d)";
        if (first == last && !(firstWhole && lastWhole)) { // the band lies inside one bucket
            return new Sql("0, " + part.formatted(1) + ", 0", List.of(brand, min, max, upTo));
        }
        List<Object> params = new ArrayList<>(List.of(brand, firstWhole ? first : first + 1, lastWhole ? last : last - 1));
        StringBuilder sql = new StringBuilder(
                "(SELECT COALESCE(SUM(n), 0) FROM goods_brand_price_count WHERE brand_id = ? AND bucket BETWEEN ? AND ?)");
        if (firstWhole) {
            sql.append(", 0");
        } else {
            sql.append(", ").append(part.formatted(1));
            params.addAll(List.of(brand, min, PriceBuckets.high(first), upTo));
        }
        if (lastWhole) {
            sql.append(", 0");
        } else {
            sql.append(", ").append(part.formatted(2));
            params.addAll(List.of(brand, PriceBuckets.low(last), max, upTo));
        }
        return new Sql(sql.toString(), params);
    }

    /** priceFrom and priceTo are a filter's price band, open ends made explicit. */
    private static long priceFrom(GoodsFilter f) {
        return f.priceMin() == null ? 0 : f.priceMin();
    }

    private static long priceTo(GoodsFilter f) {
        return f.priceMax() == null ? Long.MAX_VALUE : f.priceMax();
    }

    /** countSql counts matches up to a limit (package-private for the query-plan test). */
    static Sql countSql(GoodsFilter filter, int upTo) {
        Sql where = where(filter);
        List<Object> params = new ArrayList<>(where.params());
        params.add(upTo);
        return new Sql("SELECT COUNT(*) FROM (SELECT g.id FROM goods g WHERE " + where.text() + " LIMIT ?) matches",
                params);
    }

    /**
     * where is the condition on {@code goods g} of every filter but keywords, which
     * {@link KeywordSearch} checks against the word index.
     */
    static Sql where(GoodsFilter f) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        conditions.add("g.deleted_at IS NULL");
        if (f.ids() != null) {
            conditions.add("g.id IN (" + Jdbc.placeholders(f.ids().size()) + ")");
            params.addAll(f.ids());
        }
        if (f.subtree() != null) {
            conditions.add(switch (f.subtree().level()) {
                case 1 -> "g.category_l1_id = ?";
                case 2 -> "g.category_l2_id = ?";
                default -> "g.category_id = ?";
            });
            params.add(f.subtree().categoryId());
        }
        if (f.categoryIds() != null) {
            conditions.add("g.category_id IN (" + Jdbc.placeholders(f.categoryIds().size()) + ")");
            params.addAll(f.categoryIds());
        }
        if (f.brandId() != null) {
            conditions.add("g.brand_id = ?");
            params.add(f.brandId());
        }
        if (f.priceMin() != null) {
            conditions.add("g.shop_price >= ?");
            params.add(f.priceMin());
        }
        if (f.priceMax() != null) {
            conditions.add("g.shop_price <= ?");
            params.add(f.priceMax());
        }
        if (f.isHot() != null) {
            conditions.add("g.is_hot = ?");
            params.add(f.isHot());
        }
        if (f.isNew() != null) {
            conditions.add("g.is_new = ?");
            params.add(f.isNew());
        }
        if (f.onSale() != null) {
            conditions.add("g.on_sale = ?");
            params.add(f.onSale());
        }
        return new Sql(String.join(" AND ", conditions), params);
    }

    private static RuntimeException translate(Jdbc.DataAccessException e, GoodsRow r) {
        if (e.errorCode() == Jdbc.DUPLICATE_KEY) {
            return CatalogProblems.duplicateGoodsSn(r.goodsSn());
        }
        if (e.errorCode() == Jdbc.NO_REFERENCED_ROW) {
            return e.mentions("fk_goods_brand") ? new InvalidInputException("brandId", "no brand with id " + r.brandId())
                    : new InvalidInputException("categoryId", "no category with id " + r.categoryId());
        }
        return e;
    }

    private static String json(List<String> values) {
        return Json.write(values == null ? List.of() : values);
    }

    private static List<String> strings(String json) {
        try {
            return json == null ? List.of() : Json.MAPPER.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("goods images column holds no JSON array of strings", e);
        }
    }

    private static Goods map(ResultSet rs) throws SQLException {
        return new Goods(rs.getLong("id"), rs.getString("name"), rs.getString("goods_sn"),
                new Ref(rs.getLong("category_id"), rs.getString("category_name")),
                new Brand(rs.getLong("brand_id"), rs.getString("brand_name"), rs.getString("brand_logo")),
                rs.getLong("market_price"), rs.getLong("shop_price"), rs.getString("goods_brief"),
                rs.getBoolean("ship_free"), rs.getBoolean("is_new"), rs.getBoolean("is_hot"), rs.getBoolean("on_sale"),
                rs.getString("goods_front_image"), strings(rs.getString("images")), strings(rs.getString("desc_images")),
                rs.getInt("click_num"), rs.getInt("sold_num"), rs.getInt("fav_num"));
    }
}
