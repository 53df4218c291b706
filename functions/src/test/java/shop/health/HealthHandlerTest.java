package shop.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import shop.platform.http.Cors;
import shop.platform.json.Json;
import shop.stack.RedisNodes;
import shop.testing.OpenApiContract;
import shop.testing.TestStack;

/**
 * GET /health answers anyone with the status alone, from a check at most 10 s old; GET
 * /health/details answers admins with what is down. Both only fail when the service cannot work.
 */
class HealthHandlerTest {
    private final TestStack test = TestStack.get();
    private final List<HealthHandler.Probes> built = new ArrayList<>();

    @AfterEach
    void closeClients() {
        built.forEach(p -> p.redis().values().forEach(c -> c.close()));
    }

    private HealthHandler.Probes probes(Map<String, String> env) {
        HealthHandler.Probes p = HealthHandler.Probes.from(test.env(env));
        built.add(p);
        return p;
    }

    private static APIGatewayProxyResponseEvent send(HealthHandler handler, String eventFile, int expectedStatus,
                                                     Map<String, Object> authorizer) {
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("../events/" + eventFile);
        if (authorizer != null) {
            event.getRequestContext().setAuthorizer(authorizer);
        }
        APIGatewayProxyResponseEvent response = handler.handleRequest(event, null);
        assertEquals(expectedStatus, response.getStatusCode(), response.getBody());
        OpenApiContract.get().check(event, response);
        return response;
    }

    private static JsonNode status(HealthHandler handler, int expectedStatus) throws Exception {
        APIGatewayProxyResponseEvent response = send(handler, "health-get.json", expectedStatus, null);
        assertEquals("public, max-age=10", response.getHeaders().get("Cache-Control"));
        JsonNode body = Json.MAPPER.readTree(response.getBody());
        assertEquals(List.of("status"), iterable(body.fieldNames()), "nothing but the status: " + body);
        return body;
    }

    private static JsonNode details(HealthHandler handler, int expectedStatus) throws Exception {
        APIGatewayProxyResponseEvent response = send(handler, "health-get-details.json", expectedStatus, null);
        assertEquals("no-store", response.getHeaders().get("Cache-Control"));
        return Json.MAPPER.readTree(response.getBody());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void details_nameEveryDependency_whenEveryOneAnswers() throws Exception {
        JsonNode body = details(new HealthHandler(probes(Map.of())), 200);
        assertEquals("UP", body.get("status").asText());
        assertEquals(0, body.get("down").size());
        assertEquals("UP", body.at("/checks/database/status").asText());
        assertEquals("UP", body.at("/checks/s3/status").asText());
        assertEquals("UP", body.at("/checks/dynamodb/status").asText());
        assertEquals(1 + 5 + 2, body.get("checks").size());
    }

    @Test
    void details_needTheAdminRole() throws Exception {
        HealthHandler handler = new HealthHandler(probes(Map.of()));
        send(handler, "health-get-details.json", 401, Map.of());
        send(handler, "health-get-details.json", 403, Map.of("principalId", "orders", "roles", "service"));
    }

    @Test
    void anonymousStatus_comesFromACheckAtMostTenSecondsOld_andAFloodOpensNoConnection() throws Exception {
        RedisNodes redis = test.stack().redis().orElseThrow();
        AtomicLong now = new AtomicLong(0);
        HealthHandler handler = new HealthHandler(probes(Map.of()), Cors.ANY, now::get);
        assertEquals("UP", status(handler, 200).get("status").asText());
        long[] connections = redisConnectionsReceived(redis);
        try {
            redis.stop(0);
            redis.stop(1);
            redis.stop(2);
            for (int i = 0; i < 200; i++) {
                now.addAndGet(49_000_000); // 200 calls over 9.8 s: the first check still answers
                assertEquals("UP", status(handler, 200).get("status").asText(), "call " + i);
            }
            now.addAndGet(300_000_000); // 10.1 s after the check
            assertEquals("DOWN", status(handler, 503).get("status").asText());
        } finally {
            redis.start(0);
            redis.start(1);
            redis.start(2);
        }
        long[] after = redisConnectionsReceived(redis);
        for (int node = 3; node < 5; node++) {
            assertEquals(connections[node] + 1, after[node],
                    "only the measuring connection is new: the checks reuse theirs to node " + node);
        }
        now.addAndGet(10_000_000_000L);
        assertEquals("UP", status(handler, 200).get("status").asText(), "checked again once stale");
    }

    /** redisConnectionsReceived is each node's count of connections accepted (this measuring one included). */
    private static long[] redisConnectionsReceived(RedisNodes redis) {
        List<String> nodes = redis.addresses();
        long[] out = new long[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            String[] hostPort = nodes.get(i).split(":");
            try (Jedis j = new Jedis(hostPort[0], Integer.parseInt(hostPort[1]))) {
                String stats = j.info("stats");
                long received = stats.lines().filter(l -> l.startsWith("total_connections_received:"))
                        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElseThrow();
                out[i] = received;
            } catch (RuntimeException e) {
                out[i] = -1; // stopped
            }
        }
        return out;
    }

    @Test
    void degraded_withAMinorityOfRedisNodesDown_andDownWithAMajority() throws Exception {
        RedisNodes redis = test.stack().redis().orElseThrow();
        AtomicLong now = new AtomicLong(0);
        HealthHandler handler = new HealthHandler(probes(Map.of()), Cors.ANY, now::get);
        try {
            redis.stop(0);
            redis.stop(1);
            JsonNode degraded = details(handler, 200);
            assertEquals("DEGRADED", degraded.get("status").asText());
            assertEquals(2, degraded.get("down").size());
            assertEquals("DEGRADED", status(handler, 200).get("status").asText(), "the details' check serves anonymous calls");
            redis.stop(2);
            JsonNode down = details(handler, 503);
            assertEquals("DOWN", down.get("status").asText());
            assertEquals(3, down.get("down").size());
            assertTrue(down.get("down").get(0).asText().startsWith("redis 127.0.0.1:"), down.toString());
            JsonNode anonymous = status(handler, 503);
            assertFalse(anonymous.toString().contains("127.0.0.1"), "no host to anonymous callers: " + anonymous);
        } finally {
            redis.start(0);
            redis.start(1);
            redis.start(2);
        }
        assertEquals("UP", details(handler, 200).get("status").asText());
    }

    @Test
    void snapStartPriming_runsTheProbes_cachesNothing_andLeavesNoPooledConnection() throws Exception {
        HealthHandler.Probes probes = probes(Map.of());
        HealthHandler handler = new HealthHandler(probes);
        var pool = ((com.zaxxer.hikari.HikariDataSource) probes.db()).getHikariPoolMXBean();
        var priming = shop.platform.snapstart.SnapStartPriming.registeredForTest().getLast();
        assertEquals("health", priming.name());
        assertTrue(priming.runBeforeCheckpointForTest().isEmpty(), "priming ran every probe");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pool.getTotalConnections() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, pool.getTotalConnections(), "a pooled connection would be frozen into the snapshot");
        probes.redis().forEach((node, client) -> assertEquals(0, client.getPool().getNumIdle() + client.getPool().getNumActive(),
                "a Redis connection to " + node + " would be frozen into the snapshot"));
        // After the hook the handler still answers, checking now (nothing was cached before the snapshot).
        RedisNodes redis = test.stack().redis().orElseThrow();
        try {
            redis.stop(0);
            redis.stop(1);
            redis.stop(2);
            assertEquals("DOWN", status(handler, 503).get("status").asText());
        } finally {
            redis.start(0);
            redis.start(1);
            redis.start(2);
        }
    }

    @Test
    void down_namingTheDatabase_onlyToAdmins_whenItDoesNotAnswer() throws Exception {
        HealthHandler handler = new HealthHandler(probes(Map.of("DB_URL",
                "jdbc:mysql://127.0.0.1:9/shop?connectTimeout=300&sslMode=DISABLED")));
        JsonNode anonymous = status(handler, 503);
        assertEquals("DOWN", anonymous.get("status").asText());
        JsonNode body = details(handler, 503);
        assertEquals("DOWN", body.get("status").asText());
        assertEquals("database", body.get("down").get(0).asText());
    }

    @Test
    void everyAnswer_carriesTheConfiguredOrigin() throws Exception {
        HealthHandler handler = new HealthHandler(test.env(Map.of("ALLOWED_ORIGIN", "https://shop.example")));
        APIGatewayProxyResponseEvent ok = send(handler, "health-get.json", 200, null);
        assertEquals("https://shop.example", ok.getHeaders().get("Access-Control-Allow-Origin"));
        APIGatewayProxyResponseEvent refused = send(handler, "health-get-details.json", 401, Map.of());
        assertEquals("https://shop.example", refused.getHeaders().get("Access-Control-Allow-Origin"));
    }
}
