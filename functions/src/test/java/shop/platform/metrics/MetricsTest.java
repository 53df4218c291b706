package shop.platform.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import shop.platform.json.Json;

/** Metrics: what an invocation records becomes one EMF line when it is flushed, per thread. */
class MetricsTest {
    private final List<String> lines = new ArrayList<>();
    private final Metrics metrics = new Metrics(lines::add, Clock.fixed(Instant.ofEpochMilli(1_796_000_000_000L),
            ZoneOffset.UTC));

    @Test
    void recordedValues_becomeOneEmfLine_withTheServiceDimension_andAddUpByName() throws Exception {
        metrics.count("IdempotentReplays");
        metrics.count("IdempotentReplays");
        metrics.add("QueryTime", 2.5, "Milliseconds");
        metrics.add("QueryTime", 1.5, "Milliseconds");
        String line = metrics.flush("catalog");

        assertEquals(List.of(line), lines);
        JsonNode emf = Json.MAPPER.readTree(line);
        JsonNode aws = emf.path("_aws");
        assertEquals(1_796_000_000_000L, aws.path("Timestamp").asLong());
        JsonNode directive = aws.path("CloudWatchMetrics").path(0);
        assertEquals(Metrics.NAMESPACE, directive.path("Namespace").asText());
        assertEquals("[[\"Service\",\"Stack\"]]", directive.path("Dimensions").toString());
        assertEquals("catalog", emf.path("Service").asText());
        assertEquals(EmbeddedMetrics.STACK, emf.path("Stack").asText());
        assertEquals(2, emf.path("IdempotentReplays").asInt());
        assertEquals(4.0, emf.path("QueryTime").asDouble());
        assertEquals("Milliseconds", directive.path("Metrics").path(1).path("Unit").asText());
    }

    @Test
    void theStackDimension_isStackName_orLocalWhenUnset() {
        assertEquals("shop-prod", EmbeddedMetrics.stackName(java.util.Map.of("STACK_NAME", "shop-prod")));
        assertEquals("local", EmbeddedMetrics.stackName(java.util.Map.of("STACK_NAME", " ")));
        assertEquals("local", EmbeddedMetrics.stackName(java.util.Map.of()));
    }

    @Test
    void flush_forgetsWhatItWrote_andWritesNothingWhenNothingWasRecorded() {
        metrics.count("UploadsIssued");
        metrics.flush("uploads");
        assertNull(metrics.flush("uploads"));
        assertEquals(1, lines.size());
    }

    @Test
    void aNameKeepsOneUnit() {
        metrics.add("ImageBytes", 10, "Bytes");
        assertThrows(IllegalArgumentException.class, () -> metrics.add("ImageBytes", 1, "Count"));
    }

    @Test
    void recordingsArePerThread_soConcurrentRequestsDoNotMix() throws Exception {
        metrics.count("A");
        try (var other = Executors.newSingleThreadExecutor()) {
            other.submit(() -> {
                metrics.count("B");
                metrics.flush("other");
            }).get();
        }
        JsonNode mine = Json.MAPPER.readTree(metrics.flush("mine"));
        JsonNode theirs = Json.MAPPER.readTree(lines.getFirst());
        assertEquals(1, mine.path("A").asInt());
        assertEquals(true, mine.path("B").isMissingNode());
        assertEquals(1, theirs.path("B").asInt());
        assertEquals(true, theirs.path("A").isMissingNode());
    }
}
