package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.platform.json.Json;
import shop.platform.metrics.EmbeddedMetrics;

/** Lock and retry counters reach CloudWatch as EMF lines carrying only what changed. */
class InventoryMetricsPublisherTest {

    @Test
    void since_reportsDeltas_inCloudWatchUnits() {
        var before = new InventoryMetricsPublisher.Counters(1, 0, 0, 10, 50_000_000L, 2, 0, 0);
        var now = new InventoryMetricsPublisher.Counters(3, 1, 0, 12, 53_500_000L, 2, 1, 4);
        Map<String, Double> byName = new java.util.HashMap<>();
        now.since(before).forEach(m -> byName.put(m.name(), m.value()));
        assertEquals(2.0, byName.get("TransactionRetries"));
        assertEquals(1.0, byName.get("LockWaitRanOut"));
        assertEquals(2.0, byName.get("LockAcquires"));
        assertEquals(3.5, byName.get("LockAcquireTime"));
        assertEquals(0.0, byName.get("LockRetries"));
        assertEquals(1.0, byName.get("LockQuorumFailures"));
        assertEquals(4.0, byName.get("LockNodeErrors"));
    }

    @Test
    void reservationInRedlockMode_ofAQuietGoods_publishesThatItTookNoLock() throws Exception {
        JsonNode line = reserveOnceAndReadTheLine(Map.of("LOCK_MODE", "redlock"));
        assertEquals("ShopBackend", line.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
        assertEquals(1.0, line.get("LockOpen").asDouble(), line.toString());
        assertEquals(false, line.has("LockHeld"), line.toString());
        assertEquals(false, line.has("LockAcquires"), "a quiet goods makes no RedLock round: " + line);
    }

    @Test
    void reservationInRedlockMode_ofAHotGoods_publishesItsSlotAndLockAcquisition() throws Exception {
        JsonNode line = reserveOnceAndReadTheLine(Map.of("LOCK_MODE", "redlock", "REDLOCK_HOT_AFTER", "0"));
        assertEquals(1.0, line.get("LockHeld").asDouble(), line.toString());
        assertEquals(1.0, line.get("LockAcquires").asDouble(), line.toString());
        assertEquals(false, line.has("LockOpen"), line.toString());
    }

    private static JsonNode reserveOnceAndReadTheLine(Map<String, String> env) throws Exception {
        List<String> lines = new ArrayList<>();
        var wired = InventoryWiring.api(shop.testing.TestStack.get().env(env));
        try (var handler = new InventoryApiHandler(wired.service(), wired.resources(), lines::add)) {
            long goods = InventoryFixture.newGoods();
            InventoryFixture.setStock(goods, 5);
            var response = handler.handleRequest(InventoryFixture.reserveEvent("metrics-" + goods,
                    Map.of(goods, 1)), null);
            assertEquals(201, response.getStatusCode().intValue(), response.getBody());
        }
        return Json.MAPPER.readTree(lines.getLast());
    }

    @Test
    void emfLine_declaresEachNonZeroMetric_withNamespaceAndDimension() throws Exception {
        List<String> lines = new ArrayList<>();
        var emf = new EmbeddedMetrics("ShopBackend", Map.of("Service", "inventory"), lines::add);
        assertNull(emf.publish(List.of(new EmbeddedMetrics.Metric("LockRetries", 0, "Count")), 1L));
        emf.publish(List.of(new EmbeddedMetrics.Metric("LockAcquires", 2, "Count"),
                new EmbeddedMetrics.Metric("LockRetries", 0, "Count"),
                new EmbeddedMetrics.Metric("LockAcquireTime", 3.5, "Milliseconds")), 1_795_900_000_000L);
        assertEquals(1, lines.size(), "a line with nothing to say must not be written");
        JsonNode line = Json.MAPPER.readTree(lines.getFirst());
        assertEquals(1_795_900_000_000L, line.at("/_aws/Timestamp").asLong());
        JsonNode directive = line.at("/_aws/CloudWatchMetrics/0");
        assertEquals("ShopBackend", directive.get("Namespace").asText());
        assertEquals("[[\"Service\",\"Stack\"]]", directive.get("Dimensions").toString());
        assertEquals(2, directive.get("Metrics").size());
        assertEquals("inventory", line.get("Service").asText());
        assertEquals(EmbeddedMetrics.STACK, line.get("Stack").asText());
        assertEquals(2.0, line.get("LockAcquires").asDouble());
        assertEquals(3.5, line.get("LockAcquireTime").asDouble());
        assertEquals(false, line.has("LockRetries"));
    }
}
