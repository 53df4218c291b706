package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.stack.ProjectRoot;

/**
 * The deployable jar logs in the shape Lambda's JSON log format and its advanced logging controls
 * read, checked on the jar's own configuration in a fresh JVM with the variables Lambda sets: every
 * line is one JSON object with an RFC 3339 {@code timestamp} and a {@code level}, the request id, the
 * function's name and version, {@code cold_start} (true for the first invocation of the
 * environment only) and the X-Ray trace id; and {@code AWS_LAMBDA_LOG_LEVEL} (what
 * {@code ApplicationLogLevel} sets) decides which lines are written at all. Needs no local stack:
 * the requests are refused before any database work.
 */
class LambdaLogShapeTest {
    private static final String TRACE = "1-5759e988-bd862e3fe1be46a994272793";
    private static Path root;
    private static Path badQuery;

    @BeforeAll
    static void events() throws Exception {
        root = ProjectRoot.find();
        JarInvocation.jar(root);
        // GET /goods with a malformed pageSize: a 400, logged at INFO (rejected) and DEBUG (answered).
        JsonNode event = ProxyEvent.JSON.readTree(root.resolve("events/catalog-get-goods.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) event).putObject("queryStringParameters").put("pageSize", "many");
        ((com.fasterxml.jackson.databind.node.ObjectNode) event).putNull("multiValueQueryStringParameters");
        badQuery = Files.createTempFile("catalog-bad-query", ".json");
        badQuery.toFile().deleteOnExit();
        Files.writeString(badQuery, event.toString());
    }

    private static List<JsonNode> run(String level) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_LAMBDA_FUNCTION_NAME", "shop-CatalogApiFunction-1A2B3C");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "42");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_LOG_FORMAT", "JSON");
        env.put("AWS_LAMBDA_LOG_LEVEL", level);
        env.put("AWS_REGION", "eu-central-1");
        env.put("_X_AMZN_TRACE_ID", "Root=" + TRACE + ";Parent=53995c3f42cd8ad8;Sampled=1");
        env.put("POWERTOOLS_SERVICE_NAME", "shop-backend");
        env.put("DB_URL", "jdbc:mysql://127.0.0.1:1/shop");
        env.put("DB_USER", "app");
        JarInvocation.Run run = JarInvocation.run(JarInvocation.jar(root), "shop.catalog.CatalogApiHandler::handleRequest",
                15, env, List.of(badQuery, badQuery), true);
        assertTrue(run.ok(), String.join("\n", run.responses()) + "\n" + String.join("\n", run.logs()));
        for (String response : run.responses()) {
            assertEquals(400, ProxyEvent.JSON.readTree(response).path("statusCode").asInt(), response);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.logs()) {
            if (line.startsWith("Picked up JAVA_TOOL_OPTIONS")) {
                continue; // the JVM's own notice
            }
            JsonNode json;
            try {
                json = ProxyEvent.JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
            assertTrue(json.isObject(), line);
            lines.add(json);
        }
        return lines;
    }

    private static List<JsonNode> ofLevel(List<JsonNode> lines, String level) {
        return lines.stream().filter(l -> level.equals(l.path("level").asText())).toList();
    }

    @Test
    void everyLine_hasAnRfc3339TimestampALevelAndTheInvocationsContext() throws Exception {
        List<JsonNode> lines = run("INFO");
        List<JsonNode> rejected = ofLevel(lines, "INFO").stream()
                .filter(l -> l.path("message").asText().contains("rejected: 400")).toList();
        assertEquals(2, rejected.size(), "one INFO line per refused request: " + lines);
        for (JsonNode line : lines) {
            String ts = line.path("timestamp").asText();
            Instant parsed = OffsetDateTime.parse(ts).toInstant(); // RFC 3339: date, T, time, offset
            assertTrue(Math.abs(parsed.toEpochMilli() - System.currentTimeMillis()) < 600_000, ts);
            assertTrue(Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL").contains(line.path("level").asText()),
                    line.toString());
        }
        JsonNode first = rejected.get(0);
        JsonNode second = rejected.get(1);
        assertEquals("shop-CatalogApiFunction-1A2B3C", first.path("function_name").asText());
        assertEquals("42", first.path("function_version").asText());
        assertEquals(TRACE, first.path("xray_trace_id").asText());
        assertEquals("GET /goods", first.path("route").asText());
        assertEquals("shop-backend", first.path("service").asText());
        assertFalse(first.path("function_request_id").asText().isEmpty());
        assertTrue(!first.path("function_request_id").asText().equals(second.path("function_request_id").asText()),
                "two invocations, one request id");
        assertEquals(true, first.path("cold_start").asBoolean(), first.toString());
        assertEquals(false, second.path("cold_start").asBoolean(), second.toString());
        assertTrue(ofLevel(lines, "DEBUG").isEmpty(), "DEBUG lines at level INFO: " + lines);
    }

    @Test
    void applicationLogLevel_decidesWhichLinesAreWritten() throws Exception {
        List<JsonNode> warn = run("WARN");
        assertTrue(ofLevel(warn, "INFO").isEmpty(), "INFO lines at level WARN: " + warn);
        assertTrue(ofLevel(warn, "DEBUG").isEmpty(), "DEBUG lines at level WARN: " + warn);

        List<JsonNode> debug = run("DEBUG");
        assertTrue(ofLevel(debug, "DEBUG").stream().anyMatch(l -> l.path("message").asText().contains("GET /goods: 400")),
                "no DEBUG line of the answered request at level DEBUG: " + debug);
        assertEquals(2, ofLevel(debug, "INFO").stream().filter(l -> l.path("message").asText().contains("rejected: 400"))
                .count());
    }
}
