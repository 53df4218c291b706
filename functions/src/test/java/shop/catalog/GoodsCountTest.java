package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.testing.TestStack;

/**
 * The exact totals of flag and category filters come from goods_count (V203), those of a brand with
 * or without a price band from goods_brand_price_count (V206); triggers on goods keep both. After
 * every kind of write (API creates, replaces, price and brand changes, flag changes, soft deletes,
 * category moves and tab changes; plain SQL inserts, undeletes and hard deletes; concurrent writers)
 * the counters must equal a GROUP BY over the live goods, and GET /goods must answer the same total
 * as a plain COUNT(*) for every such filter.
 */
class GoodsCountTest extends CatalogApiTestBase {
    long electronics;
    long phones;
    long smartphones;
    long cases;
    long food;
    long acme;
    long zen;

    @BeforeEach
    void catalog() {
        electronics = CatalogDb.category("Electronics", null, 1, false);
        phones = CatalogDb.category("Phones", electronics, 2, true);
        smartphones = CatalogDb.category("Smartphones", phones, 3, false);
        cases = CatalogDb.category("Cases", phones, 3, true);
        food = CatalogDb.category("Food", null, 1, true);
        acme = CatalogDb.brand("Acme");
        zen = CatalogDb.brand("Zen");
    }

    /** filters maps GET /goods query parameters to the same condition in plain SQL (g: goods, c: its category, p: c's parent). */
    private Map<Map<String, Object>, String> filters() {
        Map<Map<String, Object>, String> f = new LinkedHashMap<>();
        f.put(Map.of(), "TRUE");
        f.put(Map.of("isHot", true), "g.is_hot");
        f.put(Map.of("isHot", false), "NOT g.is_hot");
        f.put(Map.of("isNew", true), "g.is_new");
        f.put(Map.of("onSale", true), "g.on_sale");
        f.put(Map.of("onSale", false), "NOT g.on_sale");
        f.put(Map.of("isHot", true, "onSale", true), "g.is_hot AND g.on_sale");
        f.put(Map.of("isHot", true, "isNew", true, "onSale", false), "g.is_hot AND g.is_new AND NOT g.on_sale");
        f.put(Map.of("isTab", true), "c.is_tab");
        f.put(Map.of("isTab", false), "NOT c.is_tab");
        for (long top : new long[] {electronics, phones, smartphones, cases, food}) {
            String subtree = "%d IN (c.id, c.parent_id, p.parent_id)".formatted(top);
            f.put(Map.of("topCategory", top), subtree);
            f.put(Map.of("topCategory", top, "isHot", true), subtree + " AND g.is_hot");
            f.put(Map.of("topCategory", top, "isTab", true), subtree + " AND c.is_tab");
            f.put(Map.of("topCategory", top, "isTab", false, "onSale", true, "isNew", false),
                    subtree + " AND NOT c.is_tab AND g.on_sale AND NOT g.is_new");
        }
        // Brands, with price bands whose ends fall on and inside price buckets (PriceBuckets: 100-109
        // is one bucket, 9,900-9,999 another; prices below 100 are a bucket each).
        for (long brand : new long[] {acme, zen}) {
            String b = "g.brand_id = " + brand;
            f.put(Map.of("brand", brand), b);
            f.put(Map.of("brand", brand, "priceMin", 150), b + " AND g.shop_price >= 150");
            f.put(Map.of("brand", brand, "priceMax", 450), b + " AND g.shop_price <= 450");
            f.put(Map.of("brand", brand, "priceMin", 105, "priceMax", 9_950), b + " AND g.shop_price BETWEEN 105 AND 9950");
            f.put(Map.of("brand", brand, "priceMin", 100, "priceMax", 109), b + " AND g.shop_price BETWEEN 100 AND 109");
            f.put(Map.of("brand", brand, "priceMin", 101, "priceMax", 108), b + " AND g.shop_price BETWEEN 101 AND 108");
            f.put(Map.of("brand", brand, "priceMin", 100, "priceMax", 9_999), b + " AND g.shop_price BETWEEN 100 AND 9999");
            f.put(Map.of("brand", brand, "priceMin", 50, "priceMax", 99), b + " AND g.shop_price BETWEEN 50 AND 99");
            f.put(Map.of("brand", brand, "priceMin", 7, "priceMax", 7), b + " AND g.shop_price = 7");
            f.put(Map.of("brand", brand, "priceMin", 99, "priceMax", 100), b + " AND g.shop_price BETWEEN 99 AND 100");
            f.put(Map.of("brand", brand, "isHot", true), b + " AND g.is_hot"); // a capped count, not the counters
        }
        return f;
    }

    /**
     * assertCountsExact checks the counters against the live goods and every filter's total (page
     * size 1, so that the total is counted rather than seen on the page) against COUNT(*).
     */
    private void assertCountsExact(String when) {
        assertEquals(CatalogDb.rows("""
                        SELECT category_id, is_hot, is_new, on_sale, COUNT(*) FROM goods WHERE deleted_at IS NULL
                        GROUP BY category_id, is_hot, is_new, on_sale ORDER BY 1, 2, 3, 4"""),
                CatalogDb.rows("SELECT category_id, is_hot, is_new, on_sale, n FROM goods_count WHERE n <> 0 ORDER BY 1, 2, 3, 4"),
                when + ": counters against the live goods");
        assertEquals(CatalogDb.rows("SELECT brand_id, CAST(" + PriceBucketsTest.sql("shop_price") + " AS SIGNED) b,"
                        + " COUNT(*) FROM goods WHERE deleted_at IS NULL GROUP BY brand_id, b ORDER BY 1, 2").toString(),
                CatalogDb.rows("SELECT brand_id, CAST(bucket AS SIGNED), n FROM goods_brand_price_count WHERE n <> 0 ORDER BY 1, 2").toString(),
                when + ": brand price counters against the live goods");
        List<String> wrong = new ArrayList<>();
        for (var f : filters().entrySet()) {
            long expected = CatalogDb.longQuery("""
                    SELECT COUNT(*) FROM goods g JOIN category c ON c.id = g.category_id
                    LEFT JOIN category p ON p.id = c.parent_id WHERE g.deleted_at IS NULL AND (%s)""".formatted(f.getValue()));
            CatalogApi.Call call = api.call("GET", "/goods").query("pageSize", 1);
            f.getKey().forEach(call::query);
            var resp = call.send();
            assertEquals(200, resp.status(), resp.toString());
            if (resp.body().path("total").asLong() != expected || !resp.body().path("totalCapped").isMissingNode()) {
                wrong.add(f.getKey() + ": total " + resp.body().path("total") + ", COUNT(*) " + expected);
            }
        }
        assertTrue(wrong.isEmpty(), when + ":\n" + String.join("\n", wrong));
    }

    private long create(String sn, long categoryId, long price, boolean hot, boolean isNew, boolean onSale) {
        var resp = api.post("/goods", body(sn, categoryId, price, hot, isNew, onSale));
        assertEquals(201, resp.status(), resp.toString());
        return resp.id();
    }

    private Map<String, Object> body(String sn, long categoryId, long price, boolean hot, boolean isNew, boolean onSale) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "Goods " + sn);
        body.put("goodsSn", sn);
        body.put("categoryId", categoryId);
        body.put("brandId", acme);
        body.put("shopPrice", price);
        body.put("isHot", hot);
        body.put("isNew", isNew);
        body.put("onSale", onSale);
        return body;
    }

    @Test
    void counts_stayExact_acrossApiCreatesReplacesFlagsDeletesAndCategoryMoves() {
        assertCountsExact("empty");
        long a = create("A", smartphones, 100, true, true, true);
        long b = create("B", smartphones, 200, true, false, true);
        long c = create("C", cases, 300, false, true, false);
        long d = create("D", phones, 400, true, true, false);
        long e = create("E", food, 500, false, false, true);
        long f = create("F", electronics, 600, true, false, false);
        create("G", food, 700, true, true, true);
        assertCountsExact("after creates");

        assertEquals(200, api.patch("/goods/" + a, Map.of("isHot", false)).status());
        assertEquals(200, api.patch("/goods/" + c, Map.of("onSale", true, "isNew", false)).status());
        assertEquals(200, api.patch("/goods/" + e, Map.of("isHot", true, "isNew", true, "onSale", false)).status());
        assertCountsExact("after flag changes");

        var before = CatalogDb.rows("SELECT * FROM goods_count ORDER BY 1, 2, 3, 4");
        assertEquals(200, api.put("/goods/" + b, body("B", smartphones, 9_999, true, false, true)).status());
        assertEquals(before, CatalogDb.rows("SELECT * FROM goods_count ORDER BY 1, 2, 3, 4"),
                "a price change moves no goods between counters");
        assertEquals(200, api.put("/goods/" + b, body("B", food, 9_999, false, false, true)).status());
        var zenBody = body("E", food, 105, true, true, false);
        zenBody.put("brandId", zen);
        assertEquals(200, api.put("/goods/" + e, zenBody).status());
        assertCountsExact("after a brand and price change");
        zenBody.put("shopPrice", 108);
        assertEquals(200, api.put("/goods/" + e, zenBody).status()); // same bucket: no counter moves
        zenBody.put("shopPrice", 99);
        assertEquals(200, api.put("/goods/" + e, zenBody).status());
        assertCountsExact("after price changes within and across a bucket");
        assertEquals(200, api.put("/goods/" + d, body("D", cases, 400, true, true, true)).status());
        assertCountsExact("after replaces that change category and flags");

        assertEquals(204, api.delete("/goods/" + f).status());
        assertEquals(204, api.delete("/goods/" + a).status());
        assertCountsExact("after soft deletes");
        assertEquals(404, api.delete("/goods/" + a).status());
        assertEquals(404, api.patch("/goods/" + a, Map.of("isHot", true)).status());
        assertCountsExact("after writes to deleted goods");

        // Phones (with Smartphones and Cases) moves to the top level, then under Food; then Food stops being a tab.
        assertEquals(200, api.put("/categories/" + phones, Map.of("name", "Phones", "isTab", true)).status());
        assertCountsExact("after moving a subtree to the top level");
        assertEquals(200, api.put("/categories/" + phones, Map.of("name", "Phones", "parentId", food, "isTab", false)).status());
        assertCountsExact("after moving a subtree under another category");
        assertEquals(200, api.put("/categories/" + food, Map.of("name", "Food", "isTab", false)).status());
        assertCountsExact("after a tab change");
    }

    @Test
    void counts_stayExact_afterPlainSqlWrites() {
        CatalogDb.exec("""
                INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, is_hot, is_new, on_sale,
                                   images, desc_images, deleted_at)
                SELECT CONCAT('Bulk ', seq), CONCAT('BULK-', seq), ELT(1 + seq %% 4, %d, %d, %d, %d), ELT(1 + seq %% 3 %% 2, %d, %d), seq * 23,
                       seq %% 3 = 0, seq %% 5 = 0, seq %% 2 = 0, '[]', '[]', IF(seq %% 7 = 0, NOW(3), NULL)
                FROM seq_1_to_500""".formatted(smartphones, cases, phones, food, acme, zen));
        CatalogDb.repath();
        assertCountsExact("after a multi-row insert with some rows inserted deleted");
        CatalogDb.exec("UPDATE goods SET deleted_at = NULL WHERE goods_sn IN ('BULK-7', 'BULK-14')");
        CatalogDb.exec("UPDATE goods SET is_hot = NOT is_hot, category_id = " + food + " WHERE id % 3 = 1");
        CatalogDb.exec("UPDATE goods SET brand_id = " + zen + ", shop_price = shop_price + 7 WHERE id % 5 = 2");
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id % 11 = 0 AND deleted_at IS NULL");
        CatalogDb.repath();
        assertCountsExact("after undeletes, multi-row moves and soft deletes");
        CatalogDb.exec("DELETE FROM goods WHERE id % 4 = 0");
        assertCountsExact("after hard deletes of live and deleted goods");
    }

    @Test
    void counterRow_isLockedUntilTheWriteCommits_andUntouchedByIrrelevantChanges() throws Exception {
        long a = create("A", smartphones, 100, true, false, true);
        String key = "category_id = %d AND is_hot = TRUE AND is_new = FALSE AND on_sale = TRUE".formatted(smartphones);
        try (Connection writer = TestStack.get().dataSource().getConnection();
             Connection reader = TestStack.get().dataSource().getConnection();
             Statement w = writer.createStatement(); Statement r = reader.createStatement()) {
            writer.setAutoCommit(false);
            // A rename and a price change touch no counter: the row can be locked by someone else.
            w.executeUpdate("UPDATE goods SET name = 'Renamed', shop_price = 5 WHERE id = " + a);
            reader.setAutoCommit(false);
            try (ResultSet rs = r.executeQuery("SELECT n FROM goods_count WHERE " + key + " FOR UPDATE NOWAIT")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getLong(1));
            }
            reader.rollback();
            // A flag change holds the counter row until the writer's transaction ends, so a second
            // writer of the same combination waits for it instead of losing its update.
            w.executeUpdate("UPDATE goods SET is_hot = FALSE WHERE id = " + a);
            assertThrows(SQLException.class,
                    () -> r.executeQuery("SELECT n FROM goods_count WHERE " + key + " FOR UPDATE NOWAIT"));
            reader.rollback();
            writer.rollback();
            // The rolled back change left the counters as they were.
            try (ResultSet rs = r.executeQuery("SELECT n FROM goods_count WHERE " + key)) {
                assertTrue(rs.next());
                assertEquals(1, rs.getLong(1));
            }
            reader.rollback();
        }
        assertCountsExact("after a rolled back write");
    }

    @Test
    void concurrentWriters_loseNoCount() throws Exception {
        // Every writer hits the same few counter rows at once: creates, flag flips, moves, deletes.
        int threads = 8;
        int rounds = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        String sn = "T" + thread + "-" + i;
                        long id = create(sn, i % 2 == 0 ? smartphones : cases, 100, true, false, true);
                        int s1 = api.patch("/goods/" + id, Map.of("isHot", false)).status();
                        int s2 = api.put("/goods/" + id, body(sn, i % 2 == 0 ? cases : smartphones, 100, false, true, true)).status();
                        int s3 = i % 3 == 0 ? api.delete("/goods/" + id).status() : 204;
                        if (s1 != 200 || s2 != 200 || s3 != 204) {
                            failures.add(sn + ": " + s1 + " " + s2 + " " + s3);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(failures.isEmpty(), "failed writes: " + failures);
        long live = (long) threads * rounds - (long) threads * ((rounds + 2) / 3);
        assertEquals(live, CatalogDb.longQuery("SELECT COALESCE(SUM(n), 0) FROM goods_count"));
        assertCountsExact("after concurrent writers");
    }
}
