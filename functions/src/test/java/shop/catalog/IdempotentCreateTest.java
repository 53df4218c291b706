package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Idempotency-Key on every catalog POST: a replay answers the first response; another body is a 409. */
class IdempotentCreateTest extends CatalogApiTestBase {

    private CatalogApi.Resp post(String path, String key, Object body) {
        return api.call("POST", path).as(CatalogApi.ADMIN).header("Idempotency-Key", key).body(body).send();
    }

    private void replaysAndRejectsMismatch(String path, String table, Object body, Object otherBody) {
        String key = UUID.randomUUID().toString();
        var first = post(path, key, body);
        assertEquals(201, first.status(), first.toString());
        long rows = CatalogDb.count(table);

        var replay = post(path, key, body);
        assertEquals(201, replay.status(), replay.toString());
        assertEquals(first.body(), replay.body());
        assertEquals("true", replay.headers().get("Idempotent-Replayed"));
        assertEquals(rows, CatalogDb.count(table), "a replay created something");

        rejected(409, "idempotency-key-reused", () -> post(path, key, otherBody));
    }

    @Test
    void categories() {
        replaysAndRejectsMismatch("/categories", "category", Map.of("name", "Food"), Map.of("name", "Drinks"));
    }

    @Test
    void brands() {
        replaysAndRejectsMismatch("/brands", "brand", Map.of("name", "Acme"), Map.of("name", "Zen"));
    }

    @Test
    void categoryBrands() {
        long cat = CatalogDb.category("A", null, 1, false);
        long b1 = CatalogDb.brand("B1");
        long b2 = CatalogDb.brand("B2");
        replaysAndRejectsMismatch("/category-brands", "goods_category_brand", Map.of("categoryId", cat, "brandId", b1),
                Map.of("categoryId", cat, "brandId", b2));
    }

    @Test
    void banners() {
        replaysAndRejectsMismatch("/banners", "banner", Map.of("index", 1), Map.of("index", 2));
    }

    @Test
    void goods() {
        long cat = CatalogDb.category("A", null, 1, false);
        long brand = CatalogDb.brand("B");
        replaysAndRejectsMismatch("/goods", "goods",
                Map.of("name", "G", "goodsSn", "SN-1", "categoryId", cat, "brandId", brand, "shopPrice", 100),
                Map.of("name", "G", "goodsSn", "SN-2", "categoryId", cat, "brandId", brand, "shopPrice", 100));
    }

    /** The catalog function writes its idempotency metrics (EMF on stdout) under Service=catalog. */
    @Test
    void replaysAndReusedKeys_areCountedInTheCatalogsMetrics() throws Exception {
        String key = UUID.randomUUID().toString();
        post("/brands", key, Map.of("name", "Counted"));
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            post("/brands", key, Map.of("name", "Counted"));
            post("/brands", key, Map.of("name", "Other"));
        } finally {
            System.setOut(stdout);
        }
        List<com.fasterxml.jackson.databind.JsonNode> emf = new java.util.ArrayList<>();
        for (String line : captured.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("{\"_aws\"")) {
                emf.add(shop.platform.json.Json.MAPPER.readTree(line));
            }
        }
        assertEquals(2, emf.size(), captured.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("catalog", emf.get(0).path("Service").asText());
        assertEquals(1, emf.get(0).path("IdempotentReplays").asInt());
        assertEquals(1, emf.get(1).path("IdempotencyKeyReused").asInt());
    }

    @Test
    void sameKeyWithReorderedJson_isAReplay() {
        String key = UUID.randomUUID().toString();
        var first = api.call("POST", "/brands").as(CatalogApi.ADMIN).header("Idempotency-Key", key)
                .body("{\"name\":\"Acme\",\"logo\":\"\"}").send();
        var again = api.call("POST", "/brands").as(CatalogApi.ADMIN).header("Idempotency-Key", key)
                .body("{ \"logo\": \"\", \"name\": \"Acme\" }").send();
        assertEquals(201, again.status());
        assertEquals(first.id(), again.id());
        assertEquals(1, CatalogDb.count("brand"));
    }

    @Test
    void rejectedCreate_leavesNoIdempotencyRecord_soARetryWithAFixedBodyRuns() {
        String key = UUID.randomUUID().toString();
        long records = idempotencyRecords();
        rejected(400, "invalid-input", () -> post("/brands", key, Map.of("name", "")));
        assertEquals(records, idempotencyRecords(), "a rejected create left an idempotency record");
        var fixed = post("/brands", key, Map.of("name", "Fixed"));
        assertEquals(201, fixed.status(), fixed.toString());
        assertEquals(1, CatalogDb.count("brand"));
    }

    @Test
    void unauthorizedCreate_claimsNoKey() {
        String key = UUID.randomUUID().toString();
        long records = idempotencyRecords();
        rejected(401, "unauthorized", () -> api.call("POST", "/brands").header("Idempotency-Key", key)
                .body(Map.of("name", "X")).send());
        assertEquals(records, idempotencyRecords());
    }

    private static long idempotencyRecords() {
        return CatalogDb.count("idempotency_record");
    }
}
