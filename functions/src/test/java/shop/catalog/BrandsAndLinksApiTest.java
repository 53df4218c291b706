package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /brands and /category-brands on the real stack: CRUD, paging edges, conflicts and roles. */
class BrandsAndLinksApiTest extends CatalogApiTestBase {

    @Test
    void brandPages_coverFirstLastEmptyAndPastTheEnd() {
        for (int i = 1; i <= 5; i++) {
            CatalogDb.brand("Brand" + i);
        }
        var first = api.call("GET", "/brands").query("pageSize", 2).send();
        assertEquals(200, first.status());
        assertEquals(5, first.body().path("total").asInt());
        assertEquals(1, first.body().path("page").asInt());
        assertEquals(2, first.body().path("pageSize").asInt());
        assertEquals("Brand1", first.body().path("items").get(0).path("name").asText());

        var last = api.call("GET", "/brands").query("page", 3).query("pageSize", 2).send();
        assertEquals(1, last.body().path("items").size());
        assertEquals("Brand5", last.body().path("items").get(0).path("name").asText());

        var past = api.call("GET", "/brands").query("page", 4).query("pageSize", 2).send();
        assertEquals(200, past.status());
        assertEquals(0, past.body().path("items").size());
        assertEquals(5, past.body().path("total").asInt());

        var defaults = api.get("/brands");
        assertEquals(20, defaults.body().path("pageSize").asInt());
        assertEquals(5, defaults.body().path("items").size());
    }

    @Test
    void brandPages_onEmptyTable_areEmpty() {
        var resp = api.get("/brands");
        assertEquals(0, resp.body().path("total").asInt());
        assertEquals(0, resp.body().path("items").size());
    }

    @Test
    void brandPages_reject400_onBadPaging() {
        assertEquals("page", api.call("GET", "/brands").query("page", 0).send().errorFields());
        assertEquals("pageSize", api.call("GET", "/brands").query("pageSize", 101).send().errorFields());
        assertEquals("pageSize", api.call("GET", "/brands").query("pageSize", "ten").send().errorFields());
        assertEquals("page", api.call("GET", "/brands").query("page", 101).query("pageSize", 100).send().errorFields());
        assertEquals("sort", api.call("GET", "/brands").query("sort", "name").send().errorFields());
    }

    @Test
    void brand_createGetUpdateDelete() {
        var created = api.post("/brands", Map.of("name", "Acme", "logo", "https://img.example/acme.png"));
        assertEquals(201, created.status(), created.toString());
        assertEquals("https://img.example/acme.png", created.body().path("logo").asText());
        var got = api.get("/brands/" + created.id());
        assertEquals("Acme", got.body().path("name").asText());

        var updated = api.put("/brands/" + created.id(), Map.of("name", "Acme Corp"));
        assertEquals(200, updated.status(), updated.toString());
        assertEquals("", updated.body().path("logo").asText());
        assertEquals("Acme Corp", api.get("/brands/" + created.id()).body().path("name").asText());

        assertEquals(204, api.delete("/brands/" + created.id()).status());
        assertEquals(404, api.get("/brands/" + created.id()).status());
        assertEquals(0, CatalogDb.count("brand"));
    }

    @Test
    void brand_rejects409_onDuplicateNameIgnoringCase() {
        long acme = CatalogDb.brand("Acme");
        long other = CatalogDb.brand("Other");
        rejected(409, "duplicate", () -> api.post("/brands", Map.of("name", "ACME")));
        rejected(409, "duplicate", () -> api.put("/brands/" + other, Map.of("name", "acme")));
        assertEquals(200, api.put("/brands/" + acme, Map.of("name", "Acme")).status(), "renaming to itself is fine");
    }

    @Test
    void brand_rejects400_onBadInput() {
        long acme = CatalogDb.brand("Acme");
        invalid("name", () -> api.post("/brands", Map.of("logo", "https://img.example/x.png")));
        invalid("name", () -> api.post("/brands", Map.of("name", "b".repeat(51))));
        invalid("logo", () -> api.post("/brands", Map.of("name", "B", "logo", "ftp://img.example/x.png")));
        invalid("logo", () -> api.post("/brands", Map.of("name", "B", "logo", "not a url")));
        invalid("logo", () -> api.post("/brands", Map.of("name", "B", "logo", "https://img.example/" + "x".repeat(500))));
        invalid("name", () -> api.post("/brands", Map.of("name", 12)));
        invalid("", () -> api.call("POST", "/brands").as(CatalogApi.ADMIN).body("[1,2]").send());
        invalid("name", () -> api.put("/brands/" + acme, Map.of("name", "")));
    }

    @Test
    void brand_returns404_forUnknownIds() {
        assertEquals(404, api.get("/brands/555").status());
        rejected(404, "not-found", () -> api.put("/brands/555", Map.of("name", "X")));
        rejected(404, "not-found", () -> api.delete("/brands/555"));
        rejected(404, "not-found", () -> api.delete("/brands/-1"));
    }

    @Test
    void brandDelete_returns409_whileGoodsUseItOrCategoriesLinkIt() {
        long cat = CatalogDb.category("A", null, 1, false);
        long used = CatalogDb.brand("Used");
        CatalogDb.goods("Widget", cat, used, 100, false, false, false);
        var resp = rejected(409, "in-use", () -> api.delete("/brands/" + used));
        assertEquals(1, resp.body().path("goods").asInt());

        long linked = CatalogDb.brand("Linked");
        CatalogDb.link(cat, linked);
        var linkedResp = rejected(409, "in-use", () -> api.delete("/brands/" + linked));
        assertEquals(1, linkedResp.body().path("links").asInt());
    }

    @Test
    void brandWrites_need401WithoutCaller_and403WithoutAdminRole() {
        long acme = CatalogDb.brand("Acme");
        rejected(401, "unauthorized", () -> api.call("POST", "/brands").body(Map.of("name", "X")).send());
        rejected(403, "forbidden", () -> api.call("POST", "/brands").as(CatalogApi.CUSTOMER).body(Map.of("name", "X")).send());
        rejected(401, "unauthorized", () -> api.call("PUT", "/brands/" + acme).body(Map.of("name", "X")).send());
        rejected(403, "forbidden", () -> api.call("PUT", "/brands/" + acme).as(CatalogApi.CUSTOMER).body(Map.of("name", "X")).send());
        rejected(401, "unauthorized", () -> api.call("DELETE", "/brands/" + acme).send());
        rejected(403, "forbidden", () -> api.call("DELETE", "/brands/" + acme).as(CatalogApi.CUSTOMER).send());
    }

    @Test
    void links_createListUpdateDelete() {
        long cat = CatalogDb.category("Phones", null, 1, false);
        long cat2 = CatalogDb.category("Tablets", null, 1, false);
        long brand = CatalogDb.brand("Acme");
        var created = api.post("/category-brands", Map.of("categoryId", cat, "brandId", brand));
        assertEquals(201, created.status(), created.toString());
        assertEquals("Phones", created.body().path("category").path("name").asText());
        assertEquals("Acme", created.body().path("brand").path("name").asText());
        assertTrue(created.body().path("brand").path("logo").asText().startsWith("https://"));

        var page = api.get("/category-brands");
        assertEquals(1, page.body().path("total").asInt());
        assertEquals(created.id(), page.body().path("items").get(0).path("id").asLong());

        var moved = api.put("/category-brands/" + created.id(), Map.of("categoryId", cat2, "brandId", brand));
        assertEquals(200, moved.status(), moved.toString());
        assertEquals(cat2, moved.body().path("category").path("id").asLong());

        assertEquals(204, api.delete("/category-brands/" + created.id()).status());
        assertEquals(0, CatalogDb.count("goods_category_brand"));
        rejected(404, "not-found", () -> api.delete("/category-brands/" + created.id()));
    }

    @Test
    void linkPages_coverLastAndPastTheEnd() {
        long brand = CatalogDb.brand("Acme");
        for (int i = 0; i < 3; i++) {
            CatalogDb.link(CatalogDb.category("C" + i, null, 1, false), brand);
        }
        var last = api.call("GET", "/category-brands").query("page", 2).query("pageSize", 2).send();
        assertEquals(3, last.body().path("total").asInt());
        assertEquals(1, last.body().path("items").size());
        assertEquals("C2", last.body().path("items").get(0).path("category").path("name").asText());
        var past = api.call("GET", "/category-brands").query("page", 5).query("pageSize", 2).send();
        assertEquals(0, past.body().path("items").size());
    }

    @Test
    void links_reject409_onDuplicatePair_and400_onUnknownIds() {
        long cat = CatalogDb.category("Phones", null, 1, false);
        long brand = CatalogDb.brand("Acme");
        long other = CatalogDb.brand("Other");
        CatalogDb.link(cat, brand);
        long second = CatalogDb.link(cat, other);
        rejected(409, "duplicate", () -> api.post("/category-brands", Map.of("categoryId", cat, "brandId", brand)));
        rejected(409, "duplicate", () -> api.put("/category-brands/" + second, Map.of("categoryId", cat, "brandId", brand)));
        invalid("categoryId", () -> api.post("/category-brands", Map.of("categoryId", 999, "brandId", brand)));
        invalid("categoryId,brandId", () -> api.post("/category-brands", Map.of("categoryId", 999, "brandId", 998)));
        invalid("brandId", () -> api.post("/category-brands", Map.of("categoryId", cat)));
        invalid("brandId", () -> api.put("/category-brands/" + second, Map.of("categoryId", cat, "brandId", 998)));
        rejected(404, "not-found", () -> api.put("/category-brands/777", Map.of("categoryId", cat, "brandId", brand)));
    }

    @Test
    void linkWrites_need401WithoutCaller_and403WithoutAdminRole() {
        long cat = CatalogDb.category("Phones", null, 1, false);
        long brand = CatalogDb.brand("Acme");
        long link = CatalogDb.link(cat, brand);
        Map<String, Object> body = new HashMap<>(Map.of("categoryId", cat, "brandId", brand));
        rejected(401, "unauthorized", () -> api.call("POST", "/category-brands").body(body).send());
        rejected(403, "forbidden", () -> api.call("POST", "/category-brands").as(CatalogApi.CUSTOMER).body(body).send());
        rejected(401, "unauthorized", () -> api.call("PUT", "/category-brands/" + link).body(body).send());
        rejected(403, "forbidden", () -> api.call("PUT", "/category-brands/" + link).as(CatalogApi.CUSTOMER).body(body).send());
        rejected(401, "unauthorized", () -> api.call("DELETE", "/category-brands/" + link).send());
        rejected(403, "forbidden", () -> api.call("DELETE", "/category-brands/" + link).as(CatalogApi.CUSTOMER).send());
    }
}
