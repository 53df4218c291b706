package shop.platform.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.catalog.CatalogApiHandler;
import shop.health.HealthHandler;
import shop.inventory.InventoryApiHandler;
import shop.media.UploadsApiHandler;
import shop.testing.TestStack;

/**
 * Before a SnapStart snapshot each API function runs its priming reads without error and leaves no
 * pooled connection behind (a restored snapshot must not reuse one).
 */
class SnapStartPrimingTest {

    @Test
    void apiFunctions_primeWithoutError_andLeaveNoPooledConnection() throws Exception {
        var env = TestStack.get().env(Map.of("PUBLIC_IMAGE_BASE_URL", "http://127.0.0.1:1/images"));
        int before = SnapStartPriming.registeredForTest().size();
        new CatalogApiHandler(env);
        new UploadsApiHandler(env);
        new HealthHandler(env);
        new InventoryApiHandler(env);
        List<SnapStartPriming> added = SnapStartPriming.registeredForTest()
                .subList(before, SnapStartPriming.registeredForTest().size());
        assertEquals(List.of("catalog", "uploads-api", "health", "inventory-api"), added.stream().map(SnapStartPriming::name).toList());
        for (SnapStartPriming priming : added) {
            var failure = priming.runBeforeCheckpointForTest();
            assertTrue(failure.isEmpty(), priming.name() + " priming failed: " + failure);
            assertFalse(priming.poolsForTest().isEmpty(), priming.name() + " names no pool to empty");
            for (var ds : priming.poolsForTest()) {
                var pool = ((HikariDataSource) ds).getHikariPoolMXBean();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (pool.getTotalConnections() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(0, pool.getTotalConnections(), priming.name() + " left a pooled connection");
            }
        }
    }
}
