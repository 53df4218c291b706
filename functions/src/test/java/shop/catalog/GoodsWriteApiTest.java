package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST/PUT/PATCH/DELETE /goods on the real stack. */
class GoodsWriteApiTest extends CatalogApiTestBase {
    long top;
    long leaf;
    long brand;

    @BeforeEach
    void catalog() {
        top = CatalogDb.category("Electronics", null, 1, false);
        leaf = CatalogDb.category("Phones", top, 2, false);
        brand = CatalogDb.brand("Acme");
    }

    private Map<String, Object> goods(String sn) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "Acme Phone");
        body.put("goodsSn", sn);
        body.put("categoryId", leaf);
        body.put("brandId", brand);
        body.put("shopPrice", 99_900);
        return body;
    }

    @Test
    void create_storesEveryField_andDefaultsTheOptionalOnes() {
        Map<String, Object> body = goods("SN-1");
        body.put("marketPrice", 120_000);
        body.put("goodsBrief", "A phone.");
        body.put("shipFree", true);
        body.put("isHot", true);
        body.put("frontImage", "https://img.example/front.png");
        body.put("images", List.of("https://img.example/1.png", "https://img.example/2.png"));
        var created = api.post("/goods", body);
        assertEquals(201, created.status(), created.toString());
        assertEquals("/goods/" + created.id(), created.headers().get("Location"));
        var got = api.get("/goods/" + created.id()).body();
        assertEquals(120_000, got.path("marketPrice").asLong());
        assertEquals(2, got.path("images").size());
        assertEquals(0, got.path("descImages").size());
        assertTrue(got.path("shipFree").asBoolean());
        assertFalse(got.path("onSale").asBoolean());
        assertEquals(0, got.path("clickNum").asInt());

        var minimal = api.post("/goods", goods("SN-2"));
        assertEquals(0, minimal.body().path("marketPrice").asLong());
        assertEquals("", minimal.body().path("frontImage").asText());
    }

    @Test
    void create_allowsAnyCategoryLevel() {
        Map<String, Object> body = goods("SN-TOP");
        body.put("categoryId", top);
        assertEquals(201, api.post("/goods", body).status());
    }

    @Test
    void create_rejects409_onDuplicateLiveGoodsSn_butAllowsReuseAfterDelete() {
        long first = api.post("/goods", goods("SN-1")).id();
        rejected(409, "duplicate", () -> api.post("/goods", goods("SN-1")));
        assertEquals(204, api.delete("/goods/" + first).status());
        assertEquals(201, api.post("/goods", goods("SN-1")).status());
    }

    @Test
    void create_rejects400_onUnknownCategoryOrBrandNegativePriceAndBadFields() {
        invalid("categoryId", () -> api.post("/goods", with(goods("S"), "categoryId", 9999)));
        invalid("brandId", () -> api.post("/goods", with(goods("S"), "brandId", 9999)));
        invalid("shopPrice", () -> api.post("/goods", with(goods("S"), "shopPrice", -1)));
        invalid("marketPrice", () -> api.post("/goods", with(goods("S"), "marketPrice", -5)));
        invalid("shopPrice", () -> api.post("/goods", with(goods("S"), "shopPrice", 9.99)));
        invalid("shopPrice", () -> api.post("/goods", with(goods("S"), "shopPrice", "100")));
        invalid("name", () -> api.post("/goods", with(goods("S"), "name", "n".repeat(101))));
        invalid("goodsSn", () -> api.post("/goods", with(goods("S"), "goodsSn", "s".repeat(51))));
        invalid("goodsBrief", () -> api.post("/goods", with(goods("S"), "goodsBrief", "b".repeat(201))));
        invalid("frontImage", () -> api.post("/goods", with(goods("S"), "frontImage", "file:///etc/passwd")));
        invalid("images[1]", () -> api.post("/goods", with(goods("S"), "images", List.of("https://a.example/1.png", "nope"))));
        invalid("images[0]", () -> api.post("/goods", with(goods("S"), "images", List.of(5))));
        invalid("isHot", () -> api.post("/goods", with(goods("S"), "isHot", 1)));
        invalid("clickNum", () -> api.post("/goods", with(goods("S"), "clickNum", 1)));
        Map<String, Object> missing = new HashMap<>();
        missing.put("goodsBrief", "x");
        invalid("name,goodsSn,categoryId,brandId,shopPrice", () -> api.post("/goods", missing));
    }

    @Test
    void replace_overwritesEditableFields_andKeepsCounters() {
        Map<String, Object> body = goods("SN-1");
        body.put("isHot", true);
        body.put("goodsBrief", "old");
        long id = api.post("/goods", body).id();
        CatalogDb.exec("UPDATE goods SET click_num = 7 WHERE id = " + id);
        Map<String, Object> next = goods("SN-1B");
        next.put("name", "Renamed");
        next.put("categoryId", top);
        var replaced = api.put("/goods/" + id, next);
        assertEquals(200, replaced.status(), replaced.toString());
        assertEquals("Renamed", replaced.body().path("name").asText());
        assertEquals("SN-1B", replaced.body().path("goodsSn").asText());
        assertEquals(top, replaced.body().path("category").path("id").asLong());
        assertFalse(replaced.body().path("isHot").asBoolean(), "a full replace resets absent flags");
        assertEquals("", replaced.body().path("goodsBrief").asText());
        assertEquals(7, replaced.body().path("clickNum").asInt());
    }

    @Test
    void replace_rejects409_onAnotherGoodsSn_404_onUnknownOrDeleted_and400_onBadInput() {
        long a = api.post("/goods", goods("SN-A")).id();
        long b = api.post("/goods", goods("SN-B")).id();
        rejected(409, "duplicate", () -> api.put("/goods/" + b, goods("SN-A")));
        assertEquals(200, api.put("/goods/" + a, goods("SN-A")).status(), "keeping its own goodsSn is fine");
        rejected(404, "not-found", () -> api.put("/goods/9999", goods("SN-C")));
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + b);
        rejected(404, "not-found", () -> api.put("/goods/" + b, goods("SN-B")));
        invalid("brandId", () -> api.put("/goods/" + a, with(goods("SN-A"), "brandId", 777)));
    }

    @Test
    void patch_setsOnlyTheGivenFlags() {
        long id = api.post("/goods", with(goods("SN-1"), "isNew", true)).id();
        var patched = api.patch("/goods/" + id, Map.of("isHot", true, "onSale", true));
        assertEquals(200, patched.status(), patched.toString());
        assertTrue(patched.body().path("isHot").asBoolean());
        assertTrue(patched.body().path("onSale").asBoolean());
        assertTrue(patched.body().path("isNew").asBoolean());
        assertFalse(api.patch("/goods/" + id, Map.of("isNew", false)).body().path("isNew").asBoolean());
    }

    @Test
    void patch_rejects400_onNoFlagOrOtherFields_and404_onUnknown() {
        long id = api.post("/goods", goods("SN-1")).id();
        invalid("", () -> api.patch("/goods/" + id, Map.of()));
        invalid("name", () -> api.patch("/goods/" + id, Map.of("name", "x")));
        invalid("isHot", () -> api.patch("/goods/" + id, Map.of("isHot", "true")));
        rejected(404, "not-found", () -> api.patch("/goods/9999", Map.of("isHot", true)));
    }

    @Test
    void delete_isSoft_andA404Afterwards() {
        long id = api.post("/goods", goods("SN-1")).id();
        assertEquals(204, api.delete("/goods/" + id).status());
        assertEquals(1, CatalogDb.count("goods"), "the row stays, marked deleted");
        assertEquals(1, CatalogDb.longQuery("SELECT COUNT(*) FROM goods WHERE deleted_at IS NOT NULL"));
        assertEquals(404, api.get("/goods/" + id).status());
        rejected(404, "not-found", () -> api.delete("/goods/" + id));
        rejected(404, "not-found", () -> api.patch("/goods/" + id, Map.of("isHot", true)));
    }

    @Test
    void goodsWrites_need401WithoutCaller_and403WithoutAdminRole() {
        long id = api.post("/goods", goods("SN-1")).id();
        rejected(401, "unauthorized", () -> api.call("POST", "/goods").body(goods("SN-2")).send());
        rejected(403, "forbidden", () -> api.call("POST", "/goods").as(CatalogApi.CUSTOMER).body(goods("SN-2")).send());
        rejected(401, "unauthorized", () -> api.call("PUT", "/goods/" + id).body(goods("SN-2")).send());
        rejected(403, "forbidden", () -> api.call("PUT", "/goods/" + id).as(CatalogApi.CUSTOMER).body(goods("SN-2")).send());
        rejected(401, "unauthorized", () -> api.call("PATCH", "/goods/" + id).body(Map.of("isHot", true)).send());
        rejected(403, "forbidden", () -> api.call("PATCH", "/goods/" + id).as(CatalogApi.CUSTOMER).body(Map.of("isHot", true)).send());
        rejected(401, "unauthorized", () -> api.call("DELETE", "/goods/" + id).send());
        rejected(403, "forbidden", () -> api.call("DELETE", "/goods/" + id).as(CatalogApi.CUSTOMER).send());
    }

    static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(body);
        copy.put(key, value);
        return copy;
    }
}
