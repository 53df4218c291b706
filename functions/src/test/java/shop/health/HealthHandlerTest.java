package shop.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.platform.json.Json;
import shop.stack.RedisNodes;
import shop.testing.OpenApiContract;
import shop.testing.TestStack;

/** GET /health tells which dependency is down, and only fails when the service cannot work. */
class HealthHandlerTest {
    private final TestStack test = TestStack.get();

    private JsonNode call(HealthHandler handler, int expectedStatus) throws Exception {
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("../events/health-get.json");
        APIGatewayProxyResponseEvent response = handler.handleRequest(event, null);
        assertEquals(expectedStatus, response.getStatusCode(), response.getBody());
        OpenApiContract.get().check(event, response);
        return Json.MAPPER.readTree(response.getBody());
    }

    @Test
    void health_isUp_whenEveryDependencyAnswers() throws Exception {
        JsonNode body = call(new HealthHandler(test.env(Map.of())), 200);
        assertEquals("UP", body.get("status").asText());
        assertEquals(0, body.get("down").size());
        assertEquals("UP", body.at("/checks/database/status").asText());
        assertEquals("UP", body.at("/checks/s3/status").asText());
        assertEquals("UP", body.at("/checks/dynamodb/status").asText());
        assertEquals(1 + 5 + 2, body.get("checks").size());
    }

    @Test
    void health_isDegraded_withAMinorityOfRedisNodesDown_andDownWithAMajority() throws Exception {
        RedisNodes redis = test.stack().redis().orElseThrow();
        HealthHandler handler = new HealthHandler(test.env(Map.of()));
        try {
            redis.stop(0);
            redis.stop(1);
            JsonNode degraded = call(handler, 200);
            assertEquals("DEGRADED", degraded.get("status").asText());
            assertEquals(2, degraded.get("down").size());
            redis.stop(2);
            JsonNode down = call(handler, 503);
            assertEquals("DOWN", down.get("status").asText());
            assertEquals(3, down.get("down").size());
            assertTrue(down.get("down").get(0).asText().startsWith("redis 127.0.0.1:"), down.toString());
        } finally {
            redis.start(0);
            redis.start(1);
            redis.start(2);
        }
        assertEquals("UP", call(handler, 200).get("status").asText());
    }

    @Test
    void snapStartPriming_runsTheProbes_andLeavesNoPooledConnection() throws Exception {
        HealthHandler.Probes probes = HealthHandler.Probes.from(test.env(Map.of()));
        HealthHandler handler = new HealthHandler(probes);
        var pool = ((com.zaxxer.hikari.HikariDataSource) probes.db()).getHikariPoolMXBean();
        var priming = shop.platform.snapstart.SnapStartPriming.registeredForTest().getLast();
        assertEquals("health", priming.name());
        priming.runBeforeCheckpointForTest();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pool.getTotalConnections() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, pool.getTotalConnections(), "a pooled connection would be frozen into the snapshot");
        // After the hook the handler still answers: the pool reconnects lazily.
        assertEquals("UP", call(handler, 200).get("status").asText());
    }

    @Test
    void health_isDown_namingTheDatabase_whenItDoesNotAnswer() throws Exception {
        JsonNode body = call(new HealthHandler(test.env(Map.of("DB_URL",
                "jdbc:mysql://127.0.0.1:9/shop?connectTimeout=300&sslMode=DISABLED"))), 503);
        assertEquals("DOWN", body.get("status").asText());
        assertEquals("database", body.get("down").get(0).asText());
    }
}
