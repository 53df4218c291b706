package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** /banners on the real stack. */
class BannersApiTest extends CatalogApiTestBase {

    @Test
    void banners_listByIndex_andLinkToLiveGoodsOnly() {
        long cat = CatalogDb.category("A", null, 1, false);
        long brand = CatalogDb.brand("Acme");
        long goods = CatalogDb.goods("Widget", cat, brand, 100, false, false, true);
        var second = api.post("/banners", Map.of("image", "https://img.example/b.png", "index", 2));
        var first = api.post("/banners", Map.of("image", "https://img.example/a.png", "url", "https://shop.example/x",
                "goodsId", goods, "index", 1));
        assertEquals(201, first.status(), first.toString());
        assertEquals(goods, first.body().path("goodsId").asLong());

        var list = api.get("/banners");
        assertEquals(200, list.status());
        assertEquals(first.id(), list.body().get(0).path("id").asLong());
        assertEquals(second.id(), list.body().get(1).path("id").asLong());
        assertTrue(list.body().get(1).path("goodsId").isNull());

        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + goods);
        assertTrue(api.get("/banners").body().get(0).path("goodsId").isNull(), "a deleted goods never appears");
    }

    @Test
    void banners_updateAndDelete() {
        var banner = api.post("/banners", Map.of("index", 5));
        assertEquals("", banner.body().path("image").asText());
        var updated = api.put("/banners/" + banner.id(), Map.of("index", 0, "url", "http://shop.example/sale"));
        assertEquals(200, updated.status(), updated.toString());
        assertEquals(0, updated.body().path("index").asInt());
        assertEquals("http://shop.example/sale", updated.body().path("url").asText());
        assertEquals(204, api.delete("/banners/" + banner.id()).status());
        assertEquals(0, CatalogDb.count("banner"));
        rejected(404, "not-found", () -> api.delete("/banners/" + banner.id()));
        rejected(404, "not-found", () -> api.put("/banners/" + banner.id(), Map.of("index", 1)));
    }

    @Test
    void banners_reject400_onUnknownOrDeletedGoodsAndBadFields() {
        long cat = CatalogDb.category("A", null, 1, false);
        long brand = CatalogDb.brand("Acme");
        long deleted = CatalogDb.goods("Gone", cat, brand, 100, false, false, true);
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + deleted);
        long banner = api.post("/banners", Map.of("index", 1)).id();

        invalid("goodsId", () -> api.post("/banners", Map.of("goodsId", 4040, "index", 1)));
        invalid("goodsId", () -> api.post("/banners", Map.of("goodsId", deleted, "index", 1)));
        invalid("goodsId", () -> api.put("/banners/" + banner, Map.of("goodsId", deleted, "index", 1)));
        invalid("index", () -> api.post("/banners", Map.of("image", "https://img.example/a.png")));
        invalid("index", () -> api.post("/banners", Map.of("index", -1)));
        invalid("index", () -> api.post("/banners", Map.of("index", 1.5)));
        invalid("image", () -> api.post("/banners", Map.of("index", 1, "image", "javascript:alert(1)")));
        invalid("url", () -> api.post("/banners", Map.of("index", 1, "url", "//no-scheme.example")));
    }

    @Test
    void bannerWrites_need401WithoutCaller_and403WithoutAdminRole() {
        long banner = api.post("/banners", Map.of("index", 1)).id();
        rejected(401, "unauthorized", () -> api.call("POST", "/banners").body(Map.of("index", 1)).send());
        rejected(403, "forbidden", () -> api.call("POST", "/banners").as(CatalogApi.CUSTOMER).body(Map.of("index", 1)).send());
        rejected(401, "unauthorized", () -> api.call("PUT", "/banners/" + banner).body(Map.of("index", 1)).send());
        rejected(403, "forbidden", () -> api.call("PUT", "/banners/" + banner).as(CatalogApi.CUSTOMER).body(Map.of("index", 1)).send());
        rejected(401, "unauthorized", () -> api.call("DELETE", "/banners/" + banner).send());
        rejected(403, "forbidden", () -> api.call("DELETE", "/banners/" + banner).as(CatalogApi.CUSTOMER).send());
    }
}
