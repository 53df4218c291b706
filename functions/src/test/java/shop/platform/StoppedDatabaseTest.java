package shop.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import shop.catalog.CatalogApiHandler;
import shop.inventory.InventoryApiHandler;
import shop.inventory.InventoryReconciliationHandler;
import shop.platform.deadline.Deadline;
import shop.platform.http.ApiHandler;
import shop.platform.json.Json;
import shop.stack.Template;
import shop.testing.FreezableProxy;
import shop.testing.OpenApiContract;
import shop.testing.TestContext;
import shop.testing.TestStack;

/**
 * A database that stops answering mid-run (a proxy the test freezes in front of the real one): the
 * catalog's keyword search and an inventory reservation (RedLock, then the transaction with its
 * retries) each answer 503 problem+json with Retry-After within their function's timeout from
 * template.yaml, instead of waiting on the driver's 30 s socket timeout until Lambda kills them and
 * API Gateway answers 502/504 by itself. Thawed, they serve again.
 */
class StoppedDatabaseTest {
    private final TestStack test = TestStack.get();

    /** timeout is a function's Timeout in template.yaml (its own, else the Globals one). */
    static Duration timeout(String functionId) {
        Template template = Template.loadDefault();
        Object own = template.properties(functionId).get("Timeout");
        Object timeout = own != null ? own : template.globals("Function").get("Timeout");
        return Duration.ofSeconds(Long.parseLong(String.valueOf(timeout)));
    }

    private static APIGatewayProxyRequestEvent event(String file) {
        return EventLoader.loadApiGatewayRestEvent("../events/" + file);
    }

    /** Timed is a response and how long the invocation took. */
    private record Timed(APIGatewayProxyResponseEvent response, long millis) {
    }

    private static Timed invoke(ApiHandler handler, APIGatewayProxyRequestEvent event, Duration timeout) {
        long start = System.nanoTime();
        APIGatewayProxyResponseEvent response = handler.handleRequest(event, new TestContext("stopped-db", timeout));
        return new Timed(response, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aDatabaseThatStopsAnswering_gets503WithRetryAfter_withinTheFunctionsTimeout() throws Exception {
        Duration catalogTimeout = timeout("CatalogApiFunction");
        Duration inventoryTimeout = timeout("InventoryApiFunction");
        assertTrue(catalogTimeout.compareTo(Deadline.GATEWAY_LIMIT) < 0 && inventoryTimeout.compareTo(Deadline.GATEWAY_LIMIT) < 0);
        String url = test.stack().endpoints().jdbcUrl();
        ExecutorService calls = Executors.newFixedThreadPool(2);
        try (FreezableProxy proxy = FreezableProxy.forJdbcUrl(url);
             InventoryApiHandler inventory = new InventoryApiHandler(test.env(Map.of("DB_URL", proxy.jdbcUrl(url))))) {
            CatalogApiHandler catalog = new CatalogApiHandler(test.env(Map.of("DB_URL", proxy.jdbcUrl(url))));
            APIGatewayProxyRequestEvent search = event("catalog-get-goods.json")
                    .withQueryStringParameters(Map.of("keywords", "wireless lamp"));
            APIGatewayProxyRequestEvent reserve = event("inventory-post-reservation.json");
            try {
                assertEquals(200, invoke(catalog, search, catalogTimeout).response().getStatusCode());
                int served = invoke(inventory, reserve, inventoryTimeout).response().getStatusCode();
                assertTrue(served == 201 || served == 404 || served == 409, "the reservation reached the database: " + served);

                proxy.freeze();
                Future<Timed> searching = calls.submit(() -> invoke(catalog, search, catalogTimeout));
                Future<Timed> reserving = calls.submit(() -> invoke(inventory, reserve, inventoryTimeout));
                for (var call : List.of(Map.entry(search, searching.get(60, TimeUnit.SECONDS)),
                        Map.entry(reserve, reserving.get(60, TimeUnit.SECONDS)))) {
                    APIGatewayProxyResponseEvent r = call.getValue().response();
                    Duration allowed = call.getKey() == search ? catalogTimeout : inventoryTimeout;
                    assertEquals(503, r.getStatusCode(), r.getBody());
                    assertEquals("application/problem+json", r.getHeaders().get("Content-Type"));
                    assertTrue(Integer.parseInt(r.getHeaders().get("Retry-After")) >= 1, r.getHeaders().toString());
                    JsonNode problem = Json.MAPPER.readTree(r.getBody());
                    assertTrue(problem.path("type").asText().matches(
                            "https://shop\\.example/problems/(deadline-exceeded|dependency-unavailable)"), r.getBody());
                    OpenApiContract.get().check(call.getKey(), r);
                    assertTrue(call.getValue().millis() < allowed.toMillis(),
                            "answered after " + call.getValue().millis() + " ms, the function's timeout is " + allowed);
                }
            } finally {
                proxy.thaw();
            }
            assertEquals(200, invoke(catalog, search, catalogTimeout).response().getStatusCode(), "serving again");
        } finally {
            calls.shutdownNow();
        }
        // The reservation cut off by the freeze left nothing half-written: every goods' counters still
        // equal its records (the scheduled check), and none is oversold.
        try (InventoryReconciliationHandler check = new InventoryReconciliationHandler(test.env(Map.of()))) {
            InventoryReconciliationHandler.Report report = check.handleRequest(null, null);
            assertEquals(0, report.mismatched(), "counters that disagree with the ledger: " + report.mismatches());
        }
        try (Connection c = test.admin().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM inventory WHERE reserved > on_hand OR reserved < 0")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "oversold goods");
        }
    }
}
