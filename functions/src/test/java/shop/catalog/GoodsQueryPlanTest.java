package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.testing.TestStack;

/**
 * Every list query shape of GET /goods runs on an index: EXPLAIN of the page query and of the
 * capped count must never show a full scan of goods (type ALL). The table holds enough rows, with
 * realistic flag and price spreads, for the optimizer's choice to mean something.
 */
class GoodsQueryPlanTest {
    static long tabCategory;
    static long brand;
    static long top;
    static long mid;

    @BeforeAll
    static void manyGoods() {
        CatalogDb.reset();
        List<Long> leaves = new ArrayList<>();
        for (int top = 0; top < 4; top++) {
            long t = CatalogDb.category("Top" + top, null, 1, top == 0);
            for (int mid = 0; mid < 3; mid++) {
                long m = CatalogDb.category("Mid" + top + mid, t, 2, false);
                for (int leaf = 0; leaf < 3; leaf++) {
                    leaves.add(CatalogDb.category("Leaf" + top + mid + leaf, m, 3, false));
                }
            }
        }
        tabCategory = leaves.getFirst();
        top = CatalogDb.longQuery("SELECT MIN(id) FROM category WHERE level = 1");
        mid = CatalogDb.longQuery("SELECT MIN(id) FROM category WHERE level = 2");
        for (int b = 0; b < 20; b++) {
            long id = CatalogDb.brand("PlanBrand" + b);
            if (b == 0) {
                brand = id;
            }
        }
        CatalogDb.exec("""
                INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, market_price, is_hot, is_new,
                                   on_sale, images, desc_images)
                SELECT CONCAT(ELT(1 + seq % 5, 'Wireless', 'Classic', 'Smart', 'Organic', 'Deluxe'), ' ',
                              ELT(1 + seq % 7, 'Phone', 'Speaker', 'Kettle', 'Jacket', 'Lamp', 'Tea', 'Watch'), ' ', seq),
                       CONCAT('PLAN-', seq),
                       (SELECT MIN(id) FROM category WHERE level = 3) + seq % 36,
                       (SELECT MIN(id) FROM brand) + seq % 20,
                       (seq * 7919) % 100000, (seq * 7919) % 100000 + 500,
                       seq % 10 = 0, seq % 13 = 0, seq % 3 <> 0, '[]', '[]'
                FROM seq_1_to_20000
                """);
        CatalogDb.repath();
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id % 50 = 0");
        CatalogDb.exec("ANALYZE TABLE goods, category, brand");
    }

    static Map<String, GoodsFilter> shapes() {
        Map<String, GoodsFilter> s = new LinkedHashMap<>();
        s.put("no filter", GoodsFilter.NONE);
        s.put("priceMin+priceMax", new GoodsFilter(1000L, 2000L, null, null, null, null, null, null, null, null));
        s.put("priceMin", new GoodsFilter(99_000L, null, null, null, null, null, null, null, null, null));
        s.put("priceMax", new GoodsFilter(null, 500L, null, null, null, null, null, null, null, null));
        s.put("isHot", new GoodsFilter(null, null, true, null, null, null, null, null, null, null));
        s.put("isNew", new GoodsFilter(null, null, null, true, null, null, null, null, null, null));
        s.put("onSale", new GoodsFilter(null, null, null, null, true, null, null, null, null, null));
        s.put("onSale=false", new GoodsFilter(null, null, null, null, false, null, null, null, null, null));
        s.put("isHot+onSale", new GoodsFilter(null, null, true, null, true, null, null, null, null, null));
        s.put("category (leaf / tab)", new GoodsFilter(null, null, null, null, null, Set.of(tabCategory), null, null, null, null));
        s.put("topCategory (subtree)", new GoodsFilter(null, null, null, null, null,
                Set.of(tabCategory, tabCategory + 1, tabCategory + 2, tabCategory + 3), null, null, null, null));
        s.put("topCategory level 1", new GoodsFilter(null, null, null, null, null, null, null, null, null,
                new GoodsFilter.Subtree(top, 1)));
        s.put("topCategory level 2", new GoodsFilter(null, null, null, null, null, null, null, null, null,
                new GoodsFilter.Subtree(mid, 2)));
        s.put("topCategory level 3", new GoodsFilter(null, null, null, null, null, null, null, null, null,
                new GoodsFilter.Subtree(tabCategory, 3)));
        s.put("topCategory+isTab", new GoodsFilter(null, null, null, null, null, Set.of(tabCategory), null, null, null,
                new GoodsFilter.Subtree(top, 1)));
        s.put("topCategory+isHot+onSale", new GoodsFilter(null, null, true, null, true, null, null, null, null,
                new GoodsFilter.Subtree(top, 1)));
        s.put("brand", new GoodsFilter(null, null, null, null, null, null, brand, null, null, null));
        s.put("brand+price", new GoodsFilter(10_000L, 20_000L, null, null, null, null, brand, null, null, null));
        s.put("brand+topCategory level 1", new GoodsFilter(null, null, null, null, null, null, brand, null, null,
                new GoodsFilter.Subtree(top, 1)));
        s.put("ids", new GoodsFilter(null, null, null, null, null, null, null, null, List.of(3L, 5L, 8L, 13L), null));
        s.put("everything but keywords", new GoodsFilter(0L, 90_000L, true, false, true, Set.of(tabCategory, tabCategory + 1),
                brand, null, null, null));
        return s;
    }

    @Test
    void everyListQueryShape_usesAnIndexOnGoods() throws Exception {
        List<String> scans = new ArrayList<>();
        for (var e : shapes().entrySet()) {
            for (var sql : List.of(JdbcGoodsRepository.pageIdsSql(e.getValue(), 0, 20),
                    JdbcGoodsRepository.pageIdsSql(e.getValue(), 9_980, 20),
                    count(e.getValue()))) {
                for (Map<String, String> row : explain(sql)) {
                    if ("g".equals(row.get("table")) || "goods".equals(row.get("table"))) {
                        if ("ALL".equalsIgnoreCase(row.get("type"))) {
                            scans.add(e.getKey() + ": " + sql.text() + " -> " + row);
                        }
                        assertFalse(row.get("key") == null && !"ALL".equalsIgnoreCase(row.get("type")),
                                e.getKey() + " reads goods without a key: " + row);
                        // Database.SESSION_SETTINGS: a row-id ordered merge over an index holding id
                        // descending drops rows on MariaDB before MDEV-36410's fix.
                        String extra = String.valueOf(row.get("Extra"));
                        assertFalse(extra.contains("intersect(") || extra.contains("Using union("),
                                e.getKey() + " merges row-id ordered scans: " + row);
                    }
                }
            }
        }
        assertTrue(scans.isEmpty(), "full scans of goods:\n" + String.join("\n", scans));
    }

    @Test
    void orderedShapes_readOneIndexInIdOrder_withoutSortingOrMerging() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("no filter", "idx_goods_live_id");
        expected.put("isHot", "idx_goods_hot");
        expected.put("isHot+onSale", "idx_goods_hot");
        expected.put("isNew", "idx_goods_new");
        expected.put("onSale", "idx_goods_on_sale");
        expected.put("topCategory level 1", "idx_goods_category_l1_live");
        expected.put("topCategory level 2", "idx_goods_category_l2_live");
        expected.put("topCategory level 3", "idx_goods_category_live");
        List<String> wrong = new ArrayList<>();
        for (var e : expected.entrySet()) {
            for (int offset : new int[] {0, 9_980}) {
                var plan = explain(JdbcGoodsRepository.pageIdsSql(shapes().get(e.getKey()), offset, 20));
                var row = plan.getFirst();
                String extra = String.valueOf(row.get("Extra"));
                if (plan.size() != 1 || !e.getValue().equals(row.get("key")) || extra.contains("filesort")
                        || "index_merge".equals(row.get("type"))) {
                    wrong.add(e.getKey() + " at offset " + offset + ": " + plan);
                }
            }
        }
        assertTrue(wrong.isEmpty(), "expected an ordered read of one index:\n" + String.join("\n", wrong));
    }

    /** count is the count query the repository runs for a filter: exact from the counters, or capped. */
    private static JdbcGoodsRepository.Sql count(GoodsFilter filter) {
        if (JdbcGoodsRepository.countedByBrand(filter)) {
            return JdbcGoodsRepository.brandCountSql(filter, PageRequest.MAX_WINDOW + 1);
        }
        return JdbcGoodsRepository.countedExactly(filter) ? JdbcGoodsRepository.exactCountSql(filter)
                : JdbcGoodsRepository.countSql(filter, PageRequest.MAX_WINDOW + 1);
    }

    @Test
    void exactCounts_ofFlagAndCategoryShapes_neverReadGoods_andReadCountersByKey() throws Exception {
        List<String> counted = List.of("no filter", "isHot", "isNew", "onSale", "onSale=false", "isHot+onSale",
                "category (leaf / tab)", "topCategory (subtree)", "topCategory level 1", "topCategory level 2",
                "topCategory level 3", "topCategory+isTab", "topCategory+isHot+onSale");
        List<String> wrong = new ArrayList<>();
        for (var e : shapes().entrySet()) {
            assertEquals(counted.contains(e.getKey()), JdbcGoodsRepository.countedExactly(e.getValue()), e.getKey());
            if (!counted.contains(e.getKey())) {
                continue;
            }
            var plan = explain(JdbcGoodsRepository.exactCountSql(e.getValue()));
            for (Map<String, String> row : plan) {
                String table = String.valueOf(row.get("table"));
                if (table.equals("g") || table.equals("goods")) {
                    wrong.add(e.getKey() + " reads goods: " + plan);
                }
                // With a category condition only that category's counter rows are read (the primary
                // key starts with category_id); the others sum the whole (small) counter table.
                boolean byCategory = e.getValue().subtree() != null || e.getValue().categoryIds() != null;
                if (table.equals("gc") && byCategory && "ALL".equalsIgnoreCase(row.get("type"))) {
                    wrong.add(e.getKey() + " scans every counter: " + plan);
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void brandShapes_readABrandIndexWithoutRowLookups_andCountTheBandOnItsIndex() throws Exception {
        // A brand alone is read newest first from idx_goods_brand_live and stops after the page.
        var brandOnly = explain(JdbcGoodsRepository.pageIdsSql(shapes().get("brand"), 0, 21));
        assertEquals(1, brandOnly.size(), brandOnly.toString());
        assertEquals("idx_goods_brand_live", brandOnly.getFirst().get("key"), brandOnly.toString());
        assertFalse(String.valueOf(brandOnly.getFirst().get("Extra")).contains("filesort"), brandOnly.toString());
        // A brand's price band: either index serves it index-only (the optimizer picks by the band's size).
        var band = explain(JdbcGoodsRepository.pageIdsSql(shapes().get("brand+price"), 0, 21));
        assertEquals(1, band.size(), band.toString());
        assertTrue(Set.of("idx_goods_brand_live", "idx_goods_brand_price").contains(band.getFirst().get("key")),
                band.toString());
        assertTrue(String.valueOf(band.getFirst().get("Extra")).contains("Using index"), "no row lookups: " + band);
        // The band's total: the counters of the buckets inside it by primary key, and the goods of
        // the two buckets its ends cut on idx_goods_brand_price alone (V206).
        var cut = new GoodsFilter(10_050L, 20_050L, null, null, null, null, brand, null, null, null);
        assertTrue(JdbcGoodsRepository.countedByBrand(cut));
        var count = explain(JdbcGoodsRepository.brandCountSql(cut, PageRequest.MAX_WINDOW + 1));
        var goodsRows = count.stream().filter(r -> "g".equals(r.get("table"))).toList();
        assertEquals(2, goodsRows.size(), count.toString());
        for (var goodsRow : goodsRows) {
            assertEquals("idx_goods_brand_price", goodsRow.get("key"), count.toString());
            assertEquals("range", goodsRow.get("type"), count.toString());
            assertTrue(String.valueOf(goodsRow.get("Extra")).contains("Using index"), "no row lookups: " + count);
        }
        var counters = count.stream().filter(r -> "goods_brand_price_count".equals(r.get("table"))).findFirst().orElseThrow();
        assertEquals("PRIMARY", counters.get("key"), count.toString());
        assertEquals("range", counters.get("type"), count.toString());
        // A brand alone reads its counters only.
        var brandCount = explain(JdbcGoodsRepository.brandCountSql(shapes().get("brand"), PageRequest.MAX_WINDOW + 1));
        assertTrue(brandCount.stream().noneMatch(r -> "g".equals(r.get("table"))), brandCount.toString());
    }

    @Test
    void brandBandPlans_readTheirIndex_andReturnTheSameRowsAsThePlainQuery() throws Exception {
        // BrandBandPlanner forces one of two indexes; whichever it picks, the page must be the same.
        long[][] bands = {{10_000, 20_000}, {0, 99_999}, {50_000, 50_500}, {12_345, 12_345}, {99_000, 100_000}};
        List<String> wrong = new ArrayList<>();
        for (long[] band : bands) {
            var f = new GoodsFilter(band[0], band[1], null, null, null, null, brand, null, null, null);
            for (int offset : new int[] {0, 20, 400}) {
                List<Long> plain = ids(JdbcGoodsRepository.pageIdsSql(f, offset, 21));
                for (BrandBandPlanner.Plan plan : BrandBandPlanner.Plan.values()) {
                    var sql = JdbcGoodsRepository.pageIdsSql(f, offset, 21, plan);
                    if (!plain.equals(ids(sql))) {
                        wrong.add(plan + " " + band[0] + "-" + band[1] + " at " + offset + ": " + ids(sql) + " vs " + plain);
                    }
                    var row = explain(sql).getFirst();
                    String extra = String.valueOf(row.get("Extra"));
                    if (!plan.index.equals(row.get("key")) || !extra.contains("Using index")
                            || (plan == BrandBandPlanner.Plan.WALK && extra.contains("filesort"))) {
                        wrong.add(plan + " " + band[0] + "-" + band[1] + ": " + row);
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    private static List<Long> ids(JdbcGoodsRepository.Sql sql) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = TestStack.get().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql.text())) {
            for (int i = 0; i < sql.params().size(); i++) {
                ps.setObject(i + 1, sql.params().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    @Test
    void pageStatement_readsTheIdsOnTheirIndex_thenEachRowAndNameByPrimaryKey() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (var e : shapes().entrySet()) {
            var plan = explain(JdbcGoodsRepository.pageSql(e.getValue(), 9_980, 21));
            for (Map<String, String> row : plan) {
                String table = String.valueOf(row.get("table"));
                boolean outer = Set.of("g", "c", "b").contains(table) && "PRIMARY".equals(row.get("select_type"));
                if (outer && !("eq_ref".equals(row.get("type")) && "PRIMARY".equals(row.get("key")))) {
                    wrong.add(e.getKey() + ": " + table + " not by primary key: " + plan);
                }
                if ("g".equals(table) && "ALL".equalsIgnoreCase(row.get("type"))) {
                    wrong.add(e.getKey() + ": full scan: " + plan);
                }
            }
            if (plan.stream().noneMatch(r -> String.valueOf(r.get("table")).startsWith("<derived"))) {
                wrong.add(e.getKey() + ": the page's ids are not read first: " + plan);
            }
            // A filter counted from counters carries its total in the same statement: subqueries run
            // once (not per row), and the goods they read are a brand's end buckets on its index.
            if (JdbcGoodsRepository.countedExactly(e.getValue()) || JdbcGoodsRepository.countedByBrand(e.getValue())) {
                var counted = explain(JdbcGoodsRepository.pageSql(e.getValue(), 0, 21,
                        JdbcGoodsRepository.counterColumns(e.getValue(), PageRequest.MAX_WINDOW + 1), null));
                for (Map<String, String> row : counted) {
                    if (String.valueOf(row.get("select_type")).startsWith("DEPENDENT")) {
                        wrong.add(e.getKey() + ": a counter subquery runs per row: " + counted);
                    }
                    if ("g".equals(row.get("table")) && !"PRIMARY".equals(row.get("select_type"))
                            && !"DERIVED".equals(row.get("select_type"))
                            && !"idx_goods_brand_price".equals(row.get("key"))) {
                        wrong.add(e.getKey() + ": the count reads goods: " + counted);
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void listIndexes_holdIdDescending_soThatNewestFirstIsAForwardRead() throws Exception {
        // V205: InnoDB reads a secondary index backwards about four times slower than forwards.
        List<String> indexes = List.of("idx_goods_live_id", "idx_goods_category_live", "idx_goods_category_l1_live",
                "idx_goods_category_l2_live", "idx_goods_hot", "idx_goods_new", "idx_goods_on_sale", "idx_goods_brand_live");
        List<String> wrong = new ArrayList<>();
        try (Connection c = TestStack.get().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT index_name, collation FROM information_schema.statistics
                     WHERE table_schema = DATABASE() AND table_name = 'goods' AND column_name = 'id'
                     """);
             ResultSet rs = ps.executeQuery()) {
            Map<String, String> collation = new LinkedHashMap<>();
            while (rs.next()) {
                collation.put(rs.getString(1), rs.getString(2));
            }
            for (String index : indexes) {
                if (!"D".equals(collation.get(index))) {
                    wrong.add(index + ": " + collation.get(index));
                }
            }
        }
        assertTrue(wrong.isEmpty(), "id not descending in " + wrong);
    }

    /** keywordShapes are keyword searches, alone and with other filters; the names hold 5 adjectives and 7 nouns. */
    static Map<String, GoodsFilter> keywordShapes() {
        Map<String, GoodsFilter> s = new LinkedHashMap<>();
        s.put("two common words", keywords("wireless lamp", null, null));
        s.put("one common word", keywords("smart", null, null));
        s.put("prefix of a common word", keywords("tea", null, null));
        s.put("a rare number", keywords("1234", null, null));
        s.put("a number prefix (many words, few goods)", keywords("123", null, null));
        s.put("a short word", keywords("12", null, null));
        s.put("keywords+brand", keywords("phone", brand, null));
        s.put("keywords+everything", new GoodsFilter(0L, 90_000L, true, false, true, Set.of(tabCategory, tabCategory + 1),
                brand, Keywords.parse("smart"), null, null));
        s.put("keywords+topCategory", keywords("organic watch", null, new GoodsFilter.Subtree(top, 1)));
        return s;
    }

    private static GoodsFilter keywords(String text, Long brandId, GoodsFilter.Subtree subtree) {
        return new GoodsFilter(null, null, null, null, null, null, brandId, Keywords.parse(text), null, subtree);
    }

    /**
     * The statements of a keyword search: the stats and the page
     * query of its plan, plus the other kinds of plan built by hand (a driver read whole, a walk over
     * several words of a prefix, a walk over goods), so that every statement kind is explained.
     */
    private static Map<String, JdbcGoodsRepository.Sql> keywordStatements() {
        KeywordSearch search = new KeywordSearch(new Jdbc(TestStack.get().dataSource()));
        Map<String, JdbcGoodsRepository.Sql> out = new LinkedHashMap<>();
        for (var e : keywordShapes().entrySet()) {
            List<Keywords.Term> terms = e.getValue().keywords().terms();
            out.put(e.getKey() + " stats", KeywordSearch.statsSql(terms));
            KeywordSearch.Plan plan = search.plan(terms);
            if (plan != null && plan.exact() && KeywordSearch.oneWord(plan.driver())) {
                out.put(e.getKey() + " page " + plan, KeywordSearch.exactSql(e.getValue(), plan, 0, 20));
            } else if (plan != null && plan.exact()) {
                out.put(e.getKey() + " whole " + plan, KeywordSearch.wholeSql(e.getValue(), plan));
            } else if (plan != null) {
                out.put(e.getKey() + " page " + plan, KeywordSearch.seekSql(e.getValue(), plan, Long.MAX_VALUE, 5_000, 21));
                out.put(e.getKey() + " deep page " + plan, KeywordSearch.seekSql(e.getValue(), plan, 9_000, 1, 4_001));
                out.put(e.getKey() + " window " + plan,
                        KeywordSearch.windowSql(plan.driver().words().getFirst(), Long.MAX_VALUE, 4_096));
                out.put(e.getKey() + " batch " + plan, KeywordSearch.walkSql(e.getValue(), plan, Long.MAX_VALUE, 500));
            }
        }
        Keywords.Term lamp = new Keywords.Term("lamp", true);
        KeywordSearch.Stat wireless = new KeywordSearch.Stat(new Keywords.Term("wireless", true), null, 50_000);
        KeywordSearch.Stat wirelessWord = new KeywordSearch.Stat(new Keywords.Term("wireless", true), List.of("wireless"), 4_000);
        KeywordSearch.Stat phone = new KeywordSearch.Stat(new Keywords.Term("phone", false), List.of("phone"), 2_857);
        KeywordSearch.Stat lampStat = new KeywordSearch.Stat(lamp, null, 50_000);
        GoodsFilter f = keywords("lamp wireless", brand, null);
        out.put("whole driver read", KeywordSearch.wholeSql(f, new KeywordSearch.Plan(
                new KeywordSearch.Stat(lamp, null, 100), List.of(wireless, phone), true, 0.1, 20_000)));
        out.put("whole driver read, one word", KeywordSearch.exactSql(f, new KeywordSearch.Plan(
                new KeywordSearch.Stat(lamp, List.of("lamp"), 100), List.of(wirelessWord, phone), true, 0.1, 20_000), 0, 20));
        out.put("walk over several words", KeywordSearch.walkSql(f, new KeywordSearch.Plan(
                new KeywordSearch.Stat(lamp, List.of("lamp", "lampshade", "lamps"), 5000), List.of(wireless), false, 0.1, 20_000),
                9_000, 500));
        KeywordSearch.Plan fewWords = prefixOfFewWordsChecked();
        out.put("seek, a prefix of two words checked", KeywordSearch.seekSql(f, fewWords, 9_000, 1, 21));
        out.put("exact, a prefix of two words checked", KeywordSearch.exactSql(f, fewWords, 0, 20));
        out.put("walk, a prefix of two words checked", KeywordSearch.walkSql(f, fewWords, 9_000, 500));
        out.put("walk over goods", KeywordSearch.walkSql(keywords("lamp wireless", null, null),
                new KeywordSearch.Plan(null, List.of(lampStat, wireless), false, 0.1, 20_000), 9_000, 500));
        out.put("walk over goods of a brand", KeywordSearch.walkSql(f,
                new KeywordSearch.Plan(null, List.of(lampStat, wireless), false, 0.1, 20_000), 9_000, 500));
        return out;
    }

    @Test
    void keywordStatements_neverScanGoodsOrTheWordIndex() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (var e : keywordStatements().entrySet()) {
            for (Map<String, String> row : explain(e.getValue())) {
                String table = String.valueOf(row.get("table"));
                boolean ours = Set.of("g", "goods", "d", "w", "goods_word", "goods_word_stat").contains(table)
                        || table.matches("w\\d+(_\\d+)?"); // a term's join, or one of a prefix's words
                if (ours && ("ALL".equalsIgnoreCase(row.get("type")) || "index".equalsIgnoreCase(row.get("type")))) {
                    wrong.add(e.getKey() + ": " + e.getValue().text() + " -> " + row);
                }
            }
        }
        assertTrue(wrong.isEmpty(), "full scans:\n" + String.join("\n", wrong));
    }

    @Test
    void keywordWalk_readsTheDriverWordInIdOrder_andProbesByGoods() throws Exception {
        KeywordSearch search = new KeywordSearch(new Jdbc(TestStack.get().dataSource()));
        GoodsFilter f = keywordShapes().get("two common words");
        KeywordSearch.Plan plan = search.plan(f.keywords().terms());
        assertFalse(plan.exact(), "4,000 wireless and 2,857 lamp goods: a walk, " + plan);
        assertEquals("lamp", plan.driver().term().text(), "the rarer word drives");
        var rows = explain(KeywordSearch.seekSql(f, plan, Long.MAX_VALUE, 1, 21));
        assertEquals("d", rows.getFirst().get("table"), "the driver's entries come first: " + rows);
        var driver = rows.getFirst();
        assertEquals("PRIMARY", driver.get("key"), rows.toString());
        assertFalse(String.valueOf(driver.get("Extra")).contains("filesort"), "in id order: " + rows);
        var probe = rows.stream().filter(r -> "w0".equals(r.get("table"))).findFirst().orElseThrow();
        assertEquals("PRIMARY", probe.get("key"), rows.toString());
        assertEquals("eq_ref", probe.get("type"), "one lookup per candidate: " + rows);
        var goods = rows.stream().filter(r -> "g".equals(r.get("table"))).findFirst().orElseThrow();
        assertEquals("eq_ref", goods.get("type"), rows.toString());
        assertEquals(List.of("d", "w0", "g"), rows.stream().map(r -> r.get("table")).toList(),
                "goods are read only for entries that have every word");
    }

    /** lamp drives; "wire" stands for wireless and wires: a prefix of two words, checked. */
    private static KeywordSearch.Plan prefixOfFewWordsChecked() {
        KeywordSearch.Stat lamp = new KeywordSearch.Stat(new Keywords.Term("lamp", true), List.of("lamp"), 2_857);
        KeywordSearch.Stat wire = new KeywordSearch.Stat(new Keywords.Term("wire", true), List.of("wireless", "wires"), 4_000);
        return new KeywordSearch.Plan(lamp, List.of(wire), false, 0.2, 20_000);
    }

    @Test
    void checkedPrefixOfFewWords_isALookupPerWord_andGoodsOnlyForMatches() throws Exception {
        GoodsFilter f = keywords("lamp wire", null, null);
        var rows = explain(KeywordSearch.seekSql(f, prefixOfFewWordsChecked(), Long.MAX_VALUE, 1, 21));
        assertEquals(List.of("d", "w0_0", "w0_1", "g"), rows.stream().map(r -> r.get("table")).toList(),
                "a join per word of the prefix, before goods, and no subquery: " + rows);
        for (var r : rows.subList(1, 3)) {
            assertEquals("PRIMARY", r.get("key"), rows.toString());
            assertEquals("eq_ref", r.get("type"), "one lookup per word and candidate: " + rows);
        }
        var exact = explain(KeywordSearch.exactSql(f, prefixOfFewWordsChecked(), 0, 20));
        assertEquals(List.of("d", "w0_0", "w0_1", "g"), exact.stream().map(r -> r.get("table")).toList(), exact.toString());
    }

    @Test
    void smallPrefixOfManyWords_isOneRangeReadOfThePrimaryKey_thenLookupsByKey() throws Exception {
        KeywordSearch search = new KeywordSearch(new Jdbc(TestStack.get().dataSource()));
        GoodsFilter f = keywords("123 phone", null, null);
        KeywordSearch.Plan plan = search.plan(f.keywords().terms());
        assertTrue(plan.exact(), "123, 1230..1239, 12300..12399: 111 goods, " + plan);
        assertEquals("123", plan.driver().term().text(), "the prefix drives");
        assertTrue(plan.driver().broad(), "more than 64 words: " + plan);
        var rows = explain(KeywordSearch.wholeSql(f, plan));
        assertEquals(List.of("d", "w0", "g"), rows.stream().map(r -> r.get("table")).toList(), rows.toString());
        var driver = rows.getFirst();
        assertEquals("PRIMARY", driver.get("key"), rows.toString());
        assertEquals("range", driver.get("type"), "one range over the prefix's words: " + rows);
        assertEquals("PRIMARY", rows.get(1).get("key"), rows.toString());
        for (var r : rows.subList(1, rows.size())) {
            assertEquals("eq_ref", r.get("type"), "one lookup per entry: " + rows);
        }
        assertTrue(rows.stream().noneMatch(r -> String.valueOf(r.get("Extra")).matches(".*(filesort|temporary).*")),
                "no sort or temporary table in the server: " + rows);
    }

    @Test
    void fullScan_wouldBeCaught() throws Exception {
        // The check above must be able to fail: a query on an unindexed column is a full scan.
        var rows = explain(new JdbcGoodsRepository.Sql("SELECT g.id FROM goods g WHERE g.goods_brief = ?", List.of("x")));
        assertEquals("ALL", rows.getFirst().get("type"));
    }

    private static List<Map<String, String>> explain(JdbcGoodsRepository.Sql sql) throws Exception {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Connection c = TestStack.get().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql.text())) {
            for (int i = 0; i < sql.params().size(); i++) {
                ps.setObject(i + 1, sql.params().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }
}
