package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shop.inventory.InventoryFixture.count;
import static shop.inventory.InventoryFixture.newGoods;
import static shop.inventory.InventoryFixture.problemType;
import static shop.inventory.InventoryFixture.reserveEvent;
import static shop.inventory.InventoryFixture.setStock;
import static shop.inventory.InventoryFixture.snapshot;
import static shop.inventory.InventoryFixture.stock;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.lock.RedLockConfig;
import shop.stack.RedisNodes;
import shop.testing.TestStack;

/**
 * The RedLock in front of the reservations fails soft: with 2 of 5 Redis nodes down it still locks;
 * with 3 of 5 down it goes on under row locks or answers 503, as LOCK_ON_QUORUM_LOSS says; and a
 * holder paused past its lease cannot oversell, because the database decides. Stopped nodes are
 * always restarted.
 */
class InventoryLockFaultTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void reset() {
        InventoryFixture.resetTables();
    }

    @AfterEach
    void close() throws Exception {
        RedisNodes redis = TestStack.get().stack().redis().orElseThrow();
        for (int i = 0; i < redis.size(); i++) {
            redis.start(i);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        // After every fault: no goods oversold, and every goods' counters equal its records.
        InventoryFixture.assertReconciled();
    }

    private List<InventoryApiHandler> instances(int n, Map<String, String> env) {
        List<InventoryApiHandler> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> e = new HashMap<>(Map.of("LOCK_MODE", "redlock", "DB_POOL_SIZE", "1"));
            e.putAll(env);
            InventoryApiHandler h = new InventoryApiHandler(TestStack.get().env(e));
            closeables.add(h);
            made.add(h);
        }
        return made;
    }

    /** load runs one-unit reservations on a goods from every instance until stopped, counting statuses. */
    private static final class Load implements AutoCloseable {
        private final ExecutorService pool;
        private final List<Future<?>> futures = new ArrayList<>();
        private final Map<String, AtomicInteger> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicLong sequence = new AtomicLong();
        private volatile boolean running = true;

        Load(List<InventoryApiHandler> hs, long goods, String prefix) {
            pool = Executors.newFixedThreadPool(hs.size());
            for (InventoryApiHandler h : hs) {
                futures.add(pool.submit(() -> {
                    while (running) {
                        APIGatewayProxyResponseEvent r = h.handleRequest(
                                reserveEvent(prefix + sequence.incrementAndGet(), Map.of(goods, 1)), null);
                        String key = r.getStatusCode() + (r.getStatusCode() >= 400 ? " " + problemType(r) : "");
                        outcomes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
        }

        int count(int status) {
            return outcomes.entrySet().stream().filter(e -> e.getKey().startsWith(status + ""))
                    .mapToInt(e -> e.getValue().get()).sum();
        }

        Map<String, Integer> outcomes() {
            Map<String, Integer> m = new TreeMap<>();
            outcomes.forEach((k, v) -> m.put(k, v.get()));
            return m;
        }

        void awaitCount(int status, int atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(status) < atLeast) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("load did not reach " + atLeast + " x " + status + ": " + outcomes());
                }
                Thread.sleep(5);
            }
        }

        @Override
        public void close() throws Exception {
            running = false;
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
    }

    @Test
    void twoOfFiveRedisNodesDown_duringLoad_stillLocks_andSellsExactlyTheStock() throws Exception {
        RedisNodes redis = TestStack.get().stack().redis().orElseThrow();
        List<InventoryApiHandler> hs = instances(8, Map.of());
        long goods = newGoods();
        // Enough stock that the sales after the two nodes stop are many, however fast the first 50 went.
        setStock(goods, 1000);
        Map<String, Integer> outcomes;
        try (Load load = new Load(hs, goods, "two-down-")) {
            load.awaitCount(201, 50);
            redis.stop(3);
            redis.stop(4);
            int before = load.count(201);
            assertTrue(before <= 900, "the stock must outlast the stop: " + before + " sold before it");
            load.awaitCount(201, before + 100);
            load.awaitCount(409, 20); // sold out while the two nodes are down
            load.close();
            outcomes = load.outcomes();
        } finally {
            redis.start(3);
            redis.start(4);
        }
        assertEquals(1000, outcomes.get("201"), outcomes.toString());
        assertEquals(outcomes.keySet(), java.util.Set.of("201", "409 https://shop.example/problems/insufficient-stock"),
                outcomes.toString());
        assertEquals(0, stock(goods));
        assertEquals(1000, count("SELECT COUNT(*) FROM stock_sell_detail"));
        assertEquals(0, hs.stream().mapToLong(h -> h.service().metrics().lockQuorumLost()).sum(),
                "3 of 5 nodes are still a majority");
    }

    @Test
    void threeOfFiveRedisNodesDown_proceedMode_goesOnUnderRowLocks_withoutOverselling() throws Exception {
        RedisNodes redis = TestStack.get().stack().redis().orElseThrow();
        List<InventoryApiHandler> hs = instances(8, Map.of("LOCK_ON_QUORUM_LOSS", "proceed"));
        long goods = newGoods();
        setStock(goods, 1000);
        Map<String, Integer> outcomes;
        try (Load load = new Load(hs, goods, "three-down-")) {
            load.awaitCount(201, 30);
            redis.stop(0);
            redis.stop(1);
            redis.stop(2);
            int before = load.count(201);
            assertTrue(before <= 900, "the stock must outlast the stop: " + before + " sold before it");
            load.awaitCount(201, before + 100); // still selling, under row locks alone
            load.awaitCount(409, 20);
            load.close();
            outcomes = load.outcomes();
        } finally {
            redis.start(0);
            redis.start(1);
            redis.start(2);
        }
        assertEquals(1000, outcomes.get("201"), outcomes.toString());
        assertEquals(outcomes.keySet(), java.util.Set.of("201", "409 https://shop.example/problems/insufficient-stock"),
                outcomes.toString());
        assertEquals(0, stock(goods));
        assertTrue(hs.stream().mapToLong(h -> h.service().metrics().lockQuorumLost()).sum() > 0, "quorum loss not counted");
    }

    @Test
    void threeOfFiveRedisNodesDown_failMode_answers503_andWritesNothing() throws Exception {
        RedisNodes redis = TestStack.get().stack().redis().orElseThrow();
        InventoryApiHandler h = instances(1, Map.of("LOCK_ON_QUORUM_LOSS", "fail")).getFirst();
        long goods = newGoods();
        setStock(goods, 10);
        assertEquals(201, h.handleRequest(reserveEvent("fail-0", Map.of(goods, 1)), null).getStatusCode());
        String before = snapshot();
        try {
            redis.stop(0);
            redis.stop(2);
            redis.stop(4);
            for (int i = 1; i <= 5; i++) {
                APIGatewayProxyResponseEvent r = h.handleRequest(reserveEvent("fail-" + i, Map.of(goods, 1)), null);
                assertEquals(503, r.getStatusCode(), r.getBody());
                assertEquals("https://shop.example/problems/dependency-unavailable", problemType(r));
            }
            assertEquals(before, snapshot());
        } finally {
            redis.start(0);
            redis.start(2);
            redis.start(4);
        }
        // Back to a majority: serving again.
        assertEquals(201, h.handleRequest(reserveEvent("fail-6", Map.of(goods, 1)), null).getStatusCode());
        assertEquals(8, stock(goods));
    }

    @Test
    void holderPausedPastItsLease_cannotOversell() throws Exception {
        TestStack test = TestStack.get();
        RedLockConfig shortLease = new RedLockConfig("lock:goods:", Duration.ofMillis(200), Duration.ofSeconds(3),
                Duration.ofMillis(50), Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(50));
        List<InventoryService> services = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HikariDataSource pool = InventoryWiring.pool(test.env(Map.of("DB_POOL_SIZE", "1")), "paused-" + i);
            RedLockOrderLock lock = RedLockOrderLock.connect(test.stack().endpoints().redisNodes(), false, shortLease, 1);
            closeables.add(pool);
            closeables.add(lock);
            services.add(new InventoryService(new JdbcInventoryRepository(pool), lock, InventoryConfig.QuorumLoss.PROCEED));
        }
        long goods = newGoods();
        setStock(goods, 1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch otherDone = new CountDownLatch(1);
        AtomicLong resumedAt = new AtomicLong();
        services.get(0).afterLock(() -> {
            holding.countDown();
            try {
                // Paused (a GC, a frozen instance) until well past the 200 ms lease, and until the other has sold.
                otherDone.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            resumedAt.set(System.nanoTime());
        });
        InventoryApiHandler paused = new InventoryApiHandler(services.get(0), () -> { });
        InventoryApiHandler other = new InventoryApiHandler(services.get(1), () -> { });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<APIGatewayProxyResponseEvent> first = pool.submit(() -> paused.handleRequest(reserveEvent("paused-a", Map.of(goods, 1)), null));
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            // The lease runs out; the other instance gets the lock and sells the last unit.
            APIGatewayProxyResponseEvent second = other.handleRequest(reserveEvent("paused-b", Map.of(goods, 1)), null);
            long otherFinished = System.nanoTime();
            otherDone.countDown();
            APIGatewayProxyResponseEvent late = first.get(30, TimeUnit.SECONDS);
            assertEquals(201, second.getStatusCode(), second.getBody());
            assertTrue(otherFinished < resumedAt.get(), "the other sold while the first was paused");
            assertEquals(409, late.getStatusCode(), late.getBody());
            assertEquals("https://shop.example/problems/insufficient-stock", problemType(late));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, stock(goods));
        assertEquals(1, count("SELECT COUNT(*) FROM stock_sell_detail"));
    }
}
