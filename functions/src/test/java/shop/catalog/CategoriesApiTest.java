package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET/POST/PUT/DELETE /categories and GET /categories/{id}/brands on the real stack. */
class CategoriesApiTest extends CatalogApiTestBase {

    @Test
    void tree_returnsEveryLevelNested_withParentIdNullAtTheTop() {
        long food = CatalogDb.category("Food", null, 1, true);
        long fruit = CatalogDb.category("Fruit", food, 2, false);
        long apples = CatalogDb.category("Apples", fruit, 3, false);
        long drinks = CatalogDb.category("Drinks", null, 1, false);

        var resp = api.get("/categories");

        assertEquals(200, resp.status());
        assertEquals(2, resp.body().size());
        var top = resp.body().get(0);
        assertEquals(food, top.path("id").asLong());
        assertTrue(top.path("parentId").isNull());
        assertTrue(top.path("isTab").asBoolean());
        assertEquals(fruit, top.path("children").get(0).path("id").asLong());
        assertEquals(food, top.path("children").get(0).path("parentId").asLong());
        assertEquals(apples, top.path("children").get(0).path("children").get(0).path("id").asLong());
        assertEquals(3, top.path("children").get(0).path("children").get(0).path("level").asInt());
        assertEquals(drinks, resp.body().get(1).path("id").asLong());
        assertEquals(0, resp.body().get(1).path("children").size());
    }

    @Test
    void tree_isAnEmptyArray_whenThereAreNoCategories() {
        var resp = api.get("/categories");
        assertEquals(200, resp.status());
        assertEquals("[]", resp.raw());
    }

    @Test
    void getOne_returnsDirectChildrenOnly() {
        long food = CatalogDb.category("Food", null, 1, false);
        long fruit = CatalogDb.category("Fruit", food, 2, false);
        CatalogDb.category("Apples", fruit, 3, false);

        var resp = api.get("/categories/" + food);

        assertEquals(200, resp.status());
        assertEquals(1, resp.body().path("children").size());
        assertEquals(0, resp.body().path("children").get(0).path("children").size());
    }

    @Test
    void getOne_returns404_forUnknownOrMalformedId() {
        assertEquals(404, api.get("/categories/999").status());
        assertEquals("https://shop.example/problems/not-found", api.get("/categories/abc").problemType());
    }

    @Test
    void reads_reject400_onUnknownQueryParameters() {
        var resp = api.call("GET", "/categories").query("depth", 2).send();
        assertEquals(400, resp.status());
        assertEquals("depth", resp.errorFields());
    }

    @Test
    void create_derivesLevelFromParent() {
        var top = api.post("/categories", Map.of("name", "Food", "isTab", true));
        assertEquals(201, top.status(), top.toString());
        assertEquals(1, top.body().path("level").asInt());
        assertEquals("/categories/" + top.id(), top.headers().get("Location"));
        var second = api.post("/categories", Map.of("name", "Fruit", "parentId", top.id()));
        assertEquals(2, second.body().path("level").asInt());
        assertEquals(false, second.body().path("isTab").asBoolean());
        var third = api.post("/categories", Map.of("name", "Apples", "parentId", second.id()));
        assertEquals(3, third.body().path("level").asInt());
        assertEquals(3, CatalogDb.longQuery("SELECT level FROM category WHERE id = " + third.id()));
    }

    @Test
    void create_rejects400_underALevel3Parent() {
        long a = CatalogDb.category("A", null, 1, false);
        long b = CatalogDb.category("B", a, 2, false);
        long c = CatalogDb.category("C", b, 3, false);
        invalid("parentId", () -> api.post("/categories", Map.of("name", "D", "parentId", c)));
    }

    @Test
    void create_rejects400_onUnknownParentMissingOrLongNameWrongTypesAndMalformedJson() {
        invalid("parentId", () -> api.post("/categories", Map.of("name", "X", "parentId", 4242)));
        invalid("name", () -> api.post("/categories", Map.of("isTab", true)));
        invalid("name", () -> api.post("/categories", Map.of("name", "x".repeat(51))));
        invalid("name", () -> api.post("/categories", Map.of("name", "   ")));
        invalid("isTab", () -> api.post("/categories", Map.of("name", "X", "isTab", "yes")));
        invalid("parentId", () -> api.post("/categories", Map.of("name", "X", "parentId", "1")));
        invalid("colour", () -> api.post("/categories", Map.of("name", "X", "colour", "red")));
        invalid("", () -> api.call("POST", "/categories").as(CatalogApi.ADMIN).body("{\"name\": ").send());
        invalid("", () -> api.call("POST", "/categories").as(CatalogApi.ADMIN).send());
    }

    @Test
    void create_acceptsNamesOfExactly50Characters_countingCharactersNotBytes() {
        var resp = api.post("/categories", Map.of("name", "水".repeat(50)));
        assertEquals(201, resp.status(), resp.toString());
    }

    @Test
    void writes_need401WithoutCaller_and403WithoutAdminRole() {
        long a = CatalogDb.category("A", null, 1, false);
        rejected(401, "unauthorized", () -> api.call("POST", "/categories").body(Map.of("name", "X")).send());
        rejected(403, "forbidden", () -> api.call("POST", "/categories").as(CatalogApi.CUSTOMER)
                .body(Map.of("name", "X")).send());
        rejected(401, "unauthorized", () -> api.call("PUT", "/categories/" + a).body(Map.of("name", "X")).send());
        rejected(403, "forbidden", () -> api.call("PUT", "/categories/" + a).as(CatalogApi.CUSTOMER)
                .body(Map.of("name", "X")).send());
        rejected(401, "unauthorized", () -> api.call("DELETE", "/categories/" + a).send());
        rejected(403, "forbidden", () -> api.call("DELETE", "/categories/" + a).as(CatalogApi.CUSTOMER).send());
    }

    @Test
    void update_renamesAndMovesSubtree_relevelingDescendants() {
        long a = CatalogDb.category("A", null, 1, false);
        long b = CatalogDb.category("B", null, 1, false);
        long c = CatalogDb.category("C", b, 2, false);

        var resp = api.put("/categories/" + b, Map.of("name", "B2", "parentId", a, "isTab", true));

        assertEquals(200, resp.status(), resp.toString());
        assertEquals("B2", resp.body().path("name").asText());
        assertEquals(2, resp.body().path("level").asInt());
        assertEquals(a, resp.body().path("parentId").asLong());
        assertEquals(3, CatalogDb.longQuery("SELECT level FROM category WHERE id = " + c));
    }

    @Test
    void update_rejects400_whenMoveWouldGoBelowLevel3OrMakeACycle() {
        long a = CatalogDb.category("A", null, 1, false);
        long b = CatalogDb.category("B", a, 2, false);
        long x = CatalogDb.category("X", null, 1, false);
        CatalogDb.category("Y", x, 2, false);
        invalid("parentId", () -> api.put("/categories/" + x, Map.of("name", "X", "parentId", b)));
        invalid("parentId", () -> api.put("/categories/" + a, Map.of("name", "A", "parentId", b)));
        invalid("parentId", () -> api.put("/categories/" + a, Map.of("name", "A", "parentId", a)));
    }

    @Test
    void update_returns404_forUnknownCategory() {
        rejected(404, "not-found", () -> api.put("/categories/777", Map.of("name", "X")));
    }

    @Test
    void delete_removesLeaf_then404() {
        long a = CatalogDb.category("A", null, 1, false);
        assertEquals(204, api.delete("/categories/" + a).status());
        assertEquals(0, CatalogDb.count("category"));
        rejected(404, "not-found", () -> api.delete("/categories/" + a));
    }

    @Test
    void delete_returns409_whileChildrenGoodsOrLinksRemain() {
        long a = CatalogDb.category("A", null, 1, false);
        CatalogDb.category("B", a, 2, false);
        var withChild = rejected(409, "in-use", () -> api.delete("/categories/" + a));
        assertEquals(1, withChild.body().path("children").asInt());

        long c = CatalogDb.category("C", null, 1, false);
        long brand = CatalogDb.brand("Acme");
        long g = CatalogDb.goods("Widget", c, brand, 100, false, false, true);
        rejected(409, "in-use", () -> api.delete("/categories/" + c));
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + g);
        var deletedGoods = rejected(409, "in-use", () -> api.delete("/categories/" + c));
        assertEquals(1, deletedGoods.body().path("goods").asInt());

        long d = CatalogDb.category("D", null, 1, false);
        CatalogDb.link(d, brand);
        var linked = rejected(409, "in-use", () -> api.delete("/categories/" + d));
        assertEquals(1, linked.body().path("links").asInt());
    }

    @Test
    void brands_listsLinkedBrands_and404ForUnknownCategory() {
        long a = CatalogDb.category("A", null, 1, false);
        long b1 = CatalogDb.brand("Zeta");
        long b2 = CatalogDb.brand("Alpha");
        CatalogDb.brand("Unlinked");
        CatalogDb.link(a, b1);
        CatalogDb.link(a, b2);

        var resp = api.get("/categories/" + a + "/brands");

        assertEquals(200, resp.status());
        assertEquals(2, resp.body().size());
        assertEquals("Alpha", resp.body().get(0).path("name").asText());
        assertEquals(b2, resp.body().get(0).path("id").asLong());
        assertEquals(404, api.get("/categories/9999/brands").status());
    }
}
