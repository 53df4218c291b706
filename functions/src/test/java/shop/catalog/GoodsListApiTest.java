package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /goods on the real stack: each filter alone and combined, batch get, paging edges, 400s. */
class GoodsListApiTest extends CatalogApiTestBase {
    long electronics;
    long phones;
    long smartphones;
    long food;
    long acme;
    long zen;
    long phoneA;
    long phoneB;
    long charger;
    long apple;
    long hotTea;
    long deleted;

    @BeforeEach
    void catalog() {
        electronics = CatalogDb.category("Electronics", null, 1, false);
        phones = CatalogDb.category("Phones", electronics, 2, true);
        smartphones = CatalogDb.category("Smartphones", phones, 3, false);
        food = CatalogDb.category("Food", null, 1, true);
        acme = CatalogDb.brand("Acme");
        zen = CatalogDb.brand("Zen");
        phoneA = CatalogDb.goods("Acme Wireless Phone X", smartphones, acme, 99_900, true, true, true);
        phoneB = CatalogDb.goods("Zen Phone Lite", smartphones, zen, 49_900, false, true, true);
        charger = CatalogDb.goods("Acme Fast Charger", phones, acme, 1_990, true, false, false);
        apple = CatalogDb.goods("红富士 苹果 Apple", food, zen, 500, false, false, true);
        hotTea = CatalogDb.goods("Green Tea", food, acme, 1_200, true, false, true);
        deleted = CatalogDb.goods("Acme Deleted Phone", smartphones, acme, 10_000, true, true, true);
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + deleted);
    }

    private List<Long> ids(CatalogApi.Call call) {
        var resp = call.send();
        assertEquals(200, resp.status(), resp.toString());
        List<Long> out = new ArrayList<>();
        resp.body().path("items").forEach(i -> out.add(i.path("id").asLong()));
        assertEquals(out.size(), Math.min(resp.body().path("total").asInt(), resp.body().path("pageSize").asInt()),
                "total must agree with the items of a single page: " + resp);
        return out;
    }

    private CatalogApi.Call goods() {
        return api.call("GET", "/goods");
    }

    @Test
    void noFilter_listsLiveGoodsNewestFirst_withEveryField() {
        assertEquals(List.of(hotTea, apple, charger, phoneB, phoneA), ids(goods()));
        var one = api.get("/goods/" + phoneA).body();
        assertEquals("Acme Wireless Phone X", one.path("name").asText());
        assertEquals("Smartphones", one.path("category").path("name").asText());
        assertEquals("Acme", one.path("brand").path("name").asText());
        assertEquals(99_900, one.path("shopPrice").asLong());
        assertEquals(100_000, one.path("marketPrice").asLong());
        assertTrue(one.path("isHot").asBoolean());
        assertTrue(one.path("images").isArray());
    }

    @Test
    void eachFilterAlone() {
        assertEquals(List.of(hotTea, apple, charger), ids(goods().query("priceMax", 1_990)));
        assertEquals(List.of(hotTea, charger), ids(goods().query("priceMin", 1_200).query("priceMax", 1_990)));
        assertEquals(List.of(phoneB, phoneA), ids(goods().query("priceMin", 49_900)));
        assertEquals(List.of(hotTea, charger, phoneA), ids(goods().query("isHot", true)));
        assertEquals(List.of(apple, phoneB), ids(goods().query("isHot", false)));
        assertEquals(List.of(phoneB, phoneA), ids(goods().query("isNew", true)));
        assertEquals(List.of(charger), ids(goods().query("onSale", false)));
        assertEquals(List.of(hotTea, apple, charger), ids(goods().query("isTab", true)));
        assertEquals(List.of(phoneB, phoneA), ids(goods().query("topCategory", smartphones)));
        assertEquals(List.of(charger, phoneB, phoneA), ids(goods().query("topCategory", phones)));
        assertEquals(List.of(charger, phoneB, phoneA), ids(goods().query("topCategory", electronics)));
        assertEquals(List.of(), ids(goods().query("topCategory", 99_999)));
        assertEquals(List.of(hotTea, charger, phoneA), ids(goods().query("brand", acme)));
        assertEquals(List.of(charger, phoneA), ids(goods().query("keywords", "acme")));
        assertEquals(List.of(phoneB, phoneA), ids(goods().query("keywords", "PHONE")));
        assertEquals(List.of(phoneA), ids(goods().query("keywords", "wire")), "words match by prefix");
        assertEquals(List.of(apple), ids(goods().query("keywords", "红富士")));
        assertEquals(List.of(apple), ids(goods().query("keywords", "苹果")), "CJK words inside a name are found");
    }

    @Test
    void isTabFalse_meansTheGoodsCategoryIsNotATab() {
        long plain = CatalogDb.category("Plain", null, 1, false);
        long g = CatalogDb.goods("Plain Thing", plain, acme, 10, false, false, true);
        // smartphones (level 3) is not itself a tab, even though its parent is.
        assertEquals(List.of(g, phoneB, phoneA), ids(goods().query("isTab", false)));
        assertEquals(List.of(charger), ids(goods().query("isTab", true).query("topCategory", electronics)));
    }

    @Test
    void filtersCombine() {
        assertEquals(List.of(charger, phoneA), ids(goods().query("brand", acme).query("topCategory", electronics)));
        assertEquals(List.of(hotTea, charger), ids(goods().query("brand", acme).query("priceMin", 1_000).query("priceMax", 2_000)));
        assertEquals(List.of(hotTea, phoneA), ids(goods().query("isHot", true).query("onSale", true)));
        assertEquals(List.of(phoneA), ids(goods().query("isHot", true).query("onSale", true).query("isNew", true)
                .query("keywords", "phone").query("topCategory", phones).query("brand", acme).query("priceMax", 100_000)
                .query("isTab", false)));
        assertEquals(List.of(), ids(goods().query("keywords", "phone").query("brand", acme).query("isNew", false)));
    }

    @Test
    void topCategory_followsGoodsWrittenThroughTheApi() {
        var body = new java.util.HashMap<String, Object>();
        body.put("name", "Acme Phone Case");
        body.put("goodsSn", "SN-CASE");
        body.put("categoryId", smartphones);
        body.put("brandId", acme);
        body.put("shopPrice", 990);
        long created = api.post("/goods", body).id();
        assertEquals(List.of(created, charger, phoneB, phoneA), ids(goods().query("topCategory", electronics)));
        assertEquals(List.of(created, phoneB, phoneA), ids(goods().query("topCategory", smartphones)));
        body.put("categoryId", food);
        assertEquals(200, api.put("/goods/" + created, body).status());
        assertEquals(List.of(created, hotTea, apple), ids(goods().query("topCategory", food)));
        assertEquals(List.of(charger, phoneB, phoneA), ids(goods().query("topCategory", electronics)));
    }

    @Test
    void topCategory_followsAMovedCategory_withItsSubtree() {
        // Phones (level 2, with Smartphones under it) moves to the top level, then under Food.
        assertEquals(200, api.put("/categories/" + phones, java.util.Map.of("name", "Phones", "isTab", true)).status());
        assertEquals(List.of(), ids(goods().query("topCategory", electronics)));
        assertEquals(List.of(charger, phoneB, phoneA), ids(goods().query("topCategory", phones)));
        assertEquals(List.of(phoneB, phoneA), ids(goods().query("topCategory", smartphones)));
        assertEquals(200, api.put("/categories/" + phones,
                java.util.Map.of("name", "Phones", "parentId", food, "isTab", true)).status());
        assertEquals(List.of(hotTea, apple, charger, phoneB, phoneA), ids(goods().query("topCategory", food)));
        assertEquals(List.of(charger, phoneB, phoneA), ids(goods().query("topCategory", phones)));
        assertEquals(List.of(phoneB, phoneA), ids(goods().query("topCategory", smartphones)));
        assertEquals(List.of(hotTea, apple, charger), ids(goods().query("topCategory", food).query("isTab", true)));
        // A deleted goods keeps a correct path too (it keeps its category for order history).
        assertEquals(food, CatalogDb.longQuery("SELECT category_l1_id FROM goods WHERE id = " + deleted));
        assertEquals(phones, CatalogDb.longQuery("SELECT category_l2_id FROM goods WHERE id = " + deleted));
        // A rename that does not move keeps the path.
        assertEquals(200, api.put("/categories/" + phones,
                java.util.Map.of("name", "Mobiles", "parentId", food, "isTab", true)).status());
        assertEquals(List.of(charger, phoneB, phoneA), ids(goods().query("topCategory", phones)));
    }

    @Test
    void batchGet_returnsLiveGoodsOfTheIds_andDefaultsPageSizeToTheirCount() {
        var resp = goods().query("ids", phoneA + "," + apple + "," + deleted + ",424242").send();
        assertEquals(200, resp.status(), resp.toString());
        assertEquals(4, resp.body().path("pageSize").asInt());
        assertEquals(List.of(apple, phoneA), ids(goods().query("ids", phoneA + "," + apple + "," + deleted)));
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            many.append(i == 1 ? "" : ",").append(i);
        }
        assertEquals(5, goods().query("ids", many).send().body().path("total").asInt());
        assertEquals("ids", goods().query("ids", many + ",101").send().errorFields());
        assertEquals("ids", goods().query("ids", "1,x").send().errorFields());
        assertEquals("ids", goods().query("ids", "1,,2").send().errorFields());
        assertEquals("ids", goods().query("ids", "0").send().errorFields());
    }

    @Test
    void paging_firstLastEmptyAndPastTheEnd() {
        var first = goods().query("pageSize", 2).send();
        assertEquals(5, first.body().path("total").asInt());
        assertEquals(2, first.body().path("items").size());
        var last = goods().query("pageSize", 2).query("page", 3).send();
        assertEquals(5, last.body().path("total").asInt());
        assertEquals(phoneA, last.body().path("items").get(0).path("id").asLong());
        var past = goods().query("pageSize", 2).query("page", 9).send();
        assertEquals(200, past.status());
        assertEquals(0, past.body().path("items").size());
        assertEquals(5, past.body().path("total").asInt());
        var empty = goods().query("keywords", "nothing-like-this").send();
        assertEquals(0, empty.body().path("total").asInt());
        assertEquals(0, empty.body().path("items").size());
        var exactlyFull = goods().query("pageSize", 5).send();
        assertEquals(5, exactlyFull.body().path("total").asInt());
        assertTrue(exactlyFull.body().path("totalCapped").isMissingNode());
    }

    @Test
    void deleted_goodsNeverAppear() {
        assertEquals(404, api.get("/goods/" + deleted).status());
        assertTrue(!ids(goods().query("keywords", "deleted")).contains(deleted));
        assertTrue(!ids(goods().query("brand", acme).query("pageSize", 100)).contains(deleted));
    }

    @Test
    void rejects400_onUnknownOrMalformedParameters() {
        assertEquals("colour", goods().query("colour", "red").send().errorFields());
        assertEquals("priceMin", goods().query("priceMin", -1).send().errorFields());
        assertEquals("priceMin", goods().query("priceMin", "cheap").send().errorFields());
        assertEquals("priceMin", goods().query("priceMin", 10).query("priceMax", 5).send().errorFields());
        assertEquals("isHot", goods().query("isHot", "maybe").send().errorFields());
        assertEquals("topCategory", goods().query("topCategory", 0).send().errorFields());
        assertEquals("brand", goods().query("brand", "acme").send().errorFields());
        assertEquals("keywords", goods().query("keywords", "k".repeat(101)).send().errorFields());
        assertEquals("page", goods().query("page", 0).send().errorFields());
        assertEquals("pageSize", goods().query("pageSize", 0).send().errorFields());
        assertEquals("pageSize", goods().query("pageSize", 101).send().errorFields());
        var deep = goods().query("page", 101).query("pageSize", 100).send();
        assertEquals(400, deep.status());
        assertEquals("page", deep.errorFields());
        assertEquals(200, goods().query("page", 100).query("pageSize", 100).send().status(), "the cap itself is allowed");
    }

    @Test
    void total_isCappedAt10000_withTotalCappedTrue_forPriceKeywordAndBrandWithFlagFilters() {
        // zen has 2 goods in the fixture (both on sale), + 10,005 not on sale. A brand alone or with a
        // price band is counted exactly from its counters (V206): see the next test.
        CatalogDb.exec("""
                INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, images, desc_images)
                SELECT CONCAT('Bulk ', seq), CONCAT('BULK-', seq), %d, %d, seq, '[]', '[]' FROM seq_1_to_10005
                """.formatted(food, zen));
        CatalogDb.repath(); // the category path and the word index of plain-SQL goods
        for (var call : List.of(goods().query("brand", zen).query("onSale", false), goods().query("priceMin", 1),
                goods().query("keywords", "bulk"))) {
            var resp = call.query("pageSize", 1).send();
            assertEquals(10_000, resp.body().path("total").asInt(), resp.toString());
            assertTrue(resp.body().path("totalCapped").asBoolean(), resp.toString());
        }
        var small = goods().query("brand", acme).send();
        assertTrue(small.body().path("totalCapped").isMissingNode());
        var deepest = goods().query("brand", zen).query("onSale", false).query("page", 100).query("pageSize", 100).send();
        assertEquals(10_000, deepest.body().path("total").asInt());
        assertTrue(deepest.body().path("totalCapped").asBoolean());
        assertEquals(100, deepest.body().path("items").size());
    }

    @Test
    void total_isExactBeyond10000_forFlagAndCategoryFilters() {
        CatalogDb.exec("""
                INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, is_hot, on_sale, images, desc_images)
                SELECT CONCAT('Bulk ', seq), CONCAT('BULK-', seq), %d, %d, seq, TRUE, seq %% 2 = 0, '[]', '[]'
                FROM seq_1_to_10005""".formatted(food, zen));
        CatalogDb.repath();
        var expected = new java.util.LinkedHashMap<CatalogApi.Call, Integer>();
        expected.put(goods(), 10_010);
        expected.put(goods().query("isHot", true), 10_008);
        expected.put(goods().query("isHot", true).query("onSale", true), 5_002 + 2);
        expected.put(goods().query("topCategory", food), 10_007);
        expected.put(goods().query("isTab", true), 10_008);
        expected.put(goods().query("isTab", true).query("topCategory", food).query("onSale", false), 5_003);
        // A brand, alone or with a price band (V206's counters); zen has 2 goods in the fixture.
        expected.put(goods().query("brand", zen), 10_007);
        expected.put(goods().query("brand", zen).query("priceMin", 105).query("priceMax", 9_950), (int) CatalogDb.longQuery(
                "SELECT COUNT(*) FROM goods WHERE brand_id = %d AND deleted_at IS NULL AND shop_price BETWEEN 105 AND 9950".formatted(zen)));
        for (var e : expected.entrySet()) {
            for (int page : new int[] {1, 100}) {
                var resp = e.getKey().query("page", page).query("pageSize", 100).send();
                assertEquals(e.getValue(), resp.body().path("total").asInt(), resp.toString());
                assertTrue(resp.body().path("totalCapped").isMissingNode(), resp.toString());
            }
        }
    }

    @Test
    void total_ofExactlyTheCap_isNotCapped_onTheDeepestPage() {
        // zen's 2 goods from the fixture (on sale) + 9,998 on sale = 10,000: the deepest page ends the
        // list exactly. brand + onSale is counted up to the cap (not from counters).
        CatalogDb.exec("""
                INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, on_sale, images, desc_images)
                SELECT CONCAT('Bulk ', seq), CONCAT('BULK-', seq), %d, %d, seq, TRUE, '[]', '[]' FROM seq_1_to_9998
                """.formatted(food, zen));
        for (int page : new int[] {1, 99, 100}) {
            var resp = goods().query("brand", zen).query("onSale", true).query("page", page).query("pageSize", 100).send();
            assertEquals(10_000, resp.body().path("total").asInt(), "page " + page);
            assertTrue(resp.body().path("totalCapped").isMissingNode(), "page " + page + ": " + resp);
        }
        var last = goods().query("brand", zen).query("onSale", true).query("page", 100).query("pageSize", 100).send();
        assertEquals(phoneB, last.body().path("items").get(99).path("id").asLong());
        var oneMore = goods().query("brand", zen).query("onSale", true).query("page", 2000).query("pageSize", 5).send();
        assertEquals(10_000, oneMore.body().path("total").asInt());
        assertEquals(phoneB, oneMore.body().path("items").get(4).path("id").asLong());
    }
}
