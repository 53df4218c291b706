package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import shop.testing.LambdaEnvironment;
import shop.testing.TestStack;

/**
 * RedLock values under SnapStart: the inventory function is built and primed as Lambda does when it
 * publishes a version, then "restored" by its afterRestore hook. Environments restored from one
 * snapshot must never produce the same lock value, or one could release or extend another's lease;
 * the value's random prefix is therefore drawn after each restore, never taken from the snapshot.
 */
class SnapStartLockValuesTest {
    private static final AtomicLong GOODS = new AtomicLong(System.nanoTime() % 1_000_000_000L + 9_000_000_000L);

    /** lockValue takes the order lock on one goods through the function's own lock and reads its value in Redis. */
    private static String lockValue(InventoryApiHandler handler, Jedis node) {
        long goods = GOODS.incrementAndGet();
        OrderLock.Outcome outcome = handler.service().lock().acquire(List.of(goods));
        OrderLock.Held held = assertInstanceOf(OrderLock.Held.class, outcome);
        try {
            // A fresh goods' first reservation acquires its slot 0's lease with this environment's value.
            String value = node.get(RedLockOrderLock.CONFIG.keyPrefix() + goods + "#0");
            assertNotNull(value, "the lock key is not on the first node");
            return value;
        } finally {
            try {
                held.release().close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String prefix(String value) {
        return value.substring(0, value.lastIndexOf('.'));
    }

    private static long clients(Jedis node) {
        String info = node.info("clients");
        return info.lines().filter(l -> l.startsWith("connected_clients:")).mapToLong(l -> Long.parseLong(l.split(":")[1].trim()))
                .findFirst().orElseThrow();
    }

    @Test
    void everyRestore_drawsItsOwnLockValuePrefix_andClosingTheFunctionLeavesNoRedisConnection() throws Exception {
        var test = TestStack.get();
        String first = test.stack().endpoints().redisNodes().getFirst();
        HostAndPort node = HostAndPort.from(first);
        try (Jedis probe = new Jedis(node)) {
            long clientsBefore = clients(probe);
            // REDLOCK_SLOTS=1 and every reservation through the lock: one slot key per goods, so the test
            // knows where to read the value.
            try (LambdaEnvironment lambda = LambdaEnvironment.start();
                 var handler = new InventoryApiHandler(test.env(Map.of("LOCK_MODE", "redlock", "REDLOCK_SLOTS", "1",
                         "REDLOCK_HOT_AFTER", "0")))) {

                // Init code that takes a lock before the snapshot leaves a prefix in memory, as the old
                // constructor did: it must not reach any restored environment.
                String atInit = prefix(lockValue(handler, probe));
                assertEquals(List.of(), lambda.checkpoint().problems(), "priming");

                List<String> restored = new ArrayList<>();
                for (int restore = 1; restore <= 2; restore++) {
                    lambda.restore();
                    String p = prefix(lockValue(handler, probe));
                    // Within one environment the prefix stays and the counter makes values unique.
                    assertEquals(p, prefix(lockValue(handler, probe)));
                    restored.add(p);
                }
                assertNotEquals(atInit, restored.get(0), "restore 1 reused the prefix drawn before the snapshot");
                assertNotEquals(atInit, restored.get(1), "restore 2 reused the prefix drawn before the snapshot");
                assertNotEquals(restored.get(0), restored.get(1), "two restores drew the same lock value prefix");
                assertTrue(restored.get(0).length() >= 21, "a 128-bit prefix is 22 base64 characters: " + restored.get(0));
            }
            // Priming and the hooks opened nothing on Redis that outlives them (lockValue's connections are closed with the handler).
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (clients(probe) > clientsBefore && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(clients(probe) <= clientsBefore, "Redis connections left open");
        }
    }

    @Test
    void primingAlone_opensNoRedisConnection() throws Exception {
        var test = TestStack.get();
        HostAndPort node = HostAndPort.from(test.stack().endpoints().redisNodes().getFirst());
        try (Jedis probe = new Jedis(node)) {
            long before = clients(probe);
            try (LambdaEnvironment lambda = LambdaEnvironment.start();
                 var handler = new InventoryApiHandler(test.env(Map.of("LOCK_MODE", "redlock")))) {
                LambdaEnvironment.Log log = lambda.checkpoint();
                assertEquals(List.of(), log.problems(), "priming");
                assertTrue(log.lines().stream().anyMatch(l -> l.contains("inventory-api: primed for the snapshot")),
                        log.lines().toString());
                assertEquals(before, clients(probe), "the snapshot would hold a Redis connection");
                assertNotNull(handler);
            }
        }
    }
}
