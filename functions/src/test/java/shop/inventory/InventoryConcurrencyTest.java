package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shop.inventory.InventoryFixture.actionEvent;
import static shop.inventory.InventoryFixture.count;
import static shop.inventory.InventoryFixture.json;
import static shop.inventory.InventoryFixture.newGoods;
import static shop.inventory.InventoryFixture.problemType;
import static shop.inventory.InventoryFixture.reserveEvent;
import static shop.inventory.InventoryFixture.setStock;
import static shop.inventory.InventoryFixture.stock;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.testing.TestStack;

/**
 * Concurrency proofs on the real stack. Every "instance" is its own handler with its own connection
 * pool (and, in redlock mode, its own Redis clients), as separate Lambda execution environments are.
 * Heavy: run alone with {@code -Dtest=InventoryConcurrencyTest}.
 */
class InventoryConcurrencyTest {
    private static final String PROBLEM = "https://shop.example/problems/";
    private final List<InventoryApiHandler> instances = new ArrayList<>();
    private final List<ReservationSweeperHandler> sweepers = new ArrayList<>();

    @BeforeEach
    void reset() {
        InventoryFixture.resetTables();
    }

    @AfterEach
    void closeInstances() throws Exception {
        for (InventoryApiHandler h : instances) {
            h.close();
        }
        for (ReservationSweeperHandler s : sweepers) {
            s.close();
        }
    }

    private List<InventoryApiHandler> instances(int n, Map<String, String> env) {
        List<InventoryApiHandler> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> e = new HashMap<>(Map.of("LOCK_MODE", "rowlock", "DB_POOL_SIZE", "1"));
            e.putAll(env);
            InventoryApiHandler h = new InventoryApiHandler(TestStack.get().env(e));
            instances.add(h);
            made.add(h);
        }
        return made;
    }

    private ReservationSweeperHandler sweeper() {
        ReservationSweeperHandler s = new ReservationSweeperHandler(TestStack.get().env(Map.of("DB_POOL_SIZE", "1")));
        sweepers.add(s);
        return s;
    }

    /** runAll runs tasks on their own threads, released together, and returns their results in order. */
    private static <T> List<T> runAll(int threads, List<java.util.concurrent.Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (var task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long totalRetries(List<InventoryApiHandler> hs) {
        return hs.stream().mapToLong(h -> h.service().metrics().retries()).sum();
    }

    // ------------------------------------------------------------------ the hot goods

    @Test
    void reserve_500OneUnitOrders_from16Instances_onStock100_sellExactly100() throws Exception {
        hotGoodsSellsExactlyTheStock(instances(16, Map.of()));
    }

    @Test
    void reserve_500OneUnitOrders_from16RedLockInstances_onStock100_sellExactly100() throws Exception {
        // Every reservation through the lock (hot-after 0), so that the claim does not hang on the rate.
        List<InventoryApiHandler> hs = instances(16, Map.of("LOCK_MODE", "redlock", "REDLOCK_HOT_AFTER", "0"));
        hotGoodsSellsExactlyTheStock(hs);
        // The lock was held: nearly every reservation held a slot of it. On a loaded host a node now and then
        // misses the per-node bound and a call goes on under row locks alone, which is correct, only slower.
        long held = hs.stream().mapToLong(h -> h.service().lockGateMetrics().orElseThrow().slotted()).sum();
        long lost = hs.stream().mapToLong(h -> h.service().metrics().lockQuorumLost()).sum();
        assertTrue(held >= 450, "only " + held + " of 500 reservations held the lock; quorum lost " + lost);
    }

    static void hotGoodsSellsExactlyTheStock(List<InventoryApiHandler> hs) throws Exception {
        long goods = newGoods();
        setStock(goods, 100);
        List<java.util.concurrent.Callable<APIGatewayProxyResponseEvent>> tasks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            InventoryApiHandler h = hs.get(i % hs.size());
            String orderSn = "hot-" + i;
            tasks.add(() -> h.handleRequest(reserveEvent(orderSn, Map.of(goods, 1)), null));
        }
        List<APIGatewayProxyResponseEvent> results = runAll(hs.size(), tasks);
        Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
        results.forEach(r -> byStatus.merge(r.getStatusCode(), 1, Integer::sum));
        assertEquals(Map.of(201, 100, 409, 400), byStatus, "statuses; retries=" + totalRetries(hs));
        for (APIGatewayProxyResponseEvent r : results) {
            if (r.getStatusCode() == 409) {
                assertEquals(PROBLEM + "insufficient-stock", problemType(r), r.getBody());
                assertEquals(0, json(r).path("shortages").get(0).path("available").asInt());
            }
        }
        assertEquals(0, stock(goods));
        assertEquals(100, count("SELECT COUNT(*) FROM stock_sell_detail WHERE status = 'RESERVED'"));
    }

    // ------------------------------------------------------------------ mixed multi-item orders

    @Test
    void mixedOrdersConfirmsCancelsAndSweeps_neverDeadlockToACaller_andConserveStock() throws Exception {
        mixedLoadConservesStock(instances(16, Map.of()), 600);
    }

    @Test
    void mixedLoadUnderRedLock_neverDeadlocksToACaller_andConservesStock() throws Exception {
        mixedLoadConservesStock(instances(16, Map.of("LOCK_MODE", "redlock")), 400);
    }

    void mixedLoadConservesStock(List<InventoryApiHandler> hs, int operations) throws Exception {
        List<Long> goods = newGoods(8);
        Map<Long, Integer> initial = new LinkedHashMap<>();
        for (long g : goods) {
            setStock(g, 60);
            initial.put(g, 60);
        }
        ReservationSweeperHandler sweeper = sweeper();
        List<String> orders = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < hs.size(); t++) {
            InventoryApiHandler h = hs.get(t);
            int seed = t;
            tasks.add(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < operations / hs.size(); i++) {
                    int dice = random.nextInt(10);
                    APIGatewayProxyResponseEvent r;
                    if (dice < 5 || orders.isEmpty()) {
                        List<Long> picked = new ArrayList<>(goods);
                        Collections.shuffle(picked, random); // random item order in the request
                        Map<Long, Integer> items = new LinkedHashMap<>();
                        for (long g : picked.subList(0, 2 + random.nextInt(4))) {
                            items.put(g, 1 + random.nextInt(3));
                        }
                        String orderSn = "mix-" + seed + "-" + i;
                        r = h.handleRequest(reserveEvent(orderSn, items), null);
                        if (r.getStatusCode() == 201) {
                            orders.add(orderSn);
                        }
                    } else if (dice < 7) {
                        r = h.handleRequest(actionEvent(orders.get(random.nextInt(orders.size())), "confirm"), null);
                    } else if (dice < 9) {
                        r = h.handleRequest(actionEvent(orders.get(random.nextInt(orders.size())), "cancel"), null);
                    } else {
                        // Time passes for a few reservations; the sweeper runs alongside the others.
                        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3)"
                                + " WHERE status = 'RESERVED' AND order_sn = ?", orders.get(random.nextInt(orders.size())));
                        sweeper.handleRequest(null, null);
                        continue;
                    }
                    statuses.computeIfAbsent(r.getStatusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (r.getStatusCode() >= 500 || (r.getStatusCode() == 409 && !List.of("insufficient-stock",
                            "reservation-confirmed", "reservation-returned", "reservation-expired")
                            .contains(problemType(r).substring(PROBLEM.length())))) {
                        failures.add(r.getStatusCode() + " " + r.getBody());
                    }
                }
                return null;
            });
        }
        runAll(hs.size(), tasks);
        assertTrue(failures.isEmpty(), "callers saw failures they did not cause: " + failures);
        assertConserved(initial);
        assertTrue(statuses.containsKey(201) && statuses.get(201).get() > 50, "too few reservations: " + statuses);
        System.out.println("mixed load statuses " + statuses + ", retries " + totalRetries(hs));
    }

    /** assertConserved checks initial = current + reserved + confirmed for every goods, and no negative stock. */
    static void assertConserved(Map<Long, Integer> initial) {
        Map<Long, Integer> held = new HashMap<>();
        for (List<Object> row : InventoryFixture.query(
                "SELECT items FROM stock_sell_detail WHERE status IN ('RESERVED', 'CONFIRMED')")) {
            for (var item : parse((String) row.getFirst())) {
                held.merge(item.path("goodsId").asLong(), item.path("num").asInt(), Integer::sum);
            }
        }
        for (var e : initial.entrySet()) {
            int current = stock(e.getKey());
            assertTrue(current >= 0, "negative stock of " + e.getKey());
            assertEquals(e.getValue().intValue(), current + held.getOrDefault(e.getKey(), 0),
                    "goods " + e.getKey() + ": initial != current + reserved + confirmed");
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String s) {
        try {
            return shop.platform.json.Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ the same request at once

    @Test
    void sameReservation10TimesAtOnce_deductsOnce() throws Exception {
        List<InventoryApiHandler> hs = instances(10, Map.of());
        for (int round = 0; round < 5; round++) {
            List<Long> goods = newGoods(2);
            setStock(goods.get(0), 50);
            setStock(goods.get(1), 50);
            String orderSn = "same-" + round;
            List<APIGatewayProxyResponseEvent> rs = runAll(10, hs.stream()
                    .<java.util.concurrent.Callable<APIGatewayProxyResponseEvent>>map(h -> () ->
                            h.handleRequest(reserveEvent(orderSn, Map.of(goods.get(0), 2, goods.get(1), 3)), null))
                    .toList());
            assertEquals(1, rs.stream().filter(r -> r.getStatusCode() == 201).count(), statuses(rs));
            assertEquals(9, rs.stream().filter(r -> r.getStatusCode() == 200).count(), statuses(rs));
            rs.forEach(r -> assertEquals(json(rs.getFirst()), json(r)));
            assertEquals(List.of(48, 47), goods.stream().map(InventoryFixture::stock).toList());
            assertEquals(1, count("SELECT COUNT(*) FROM stock_sell_detail WHERE order_sn = ?", orderSn));
        }
    }

    @Test
    void sameCancel10TimesAtOnce_returnsOnce() throws Exception {
        List<InventoryApiHandler> hs = instances(10, Map.of());
        for (int round = 0; round < 5; round++) {
            List<Long> goods = newGoods(2);
            setStock(goods.get(0), 50);
            setStock(goods.get(1), 50);
            String orderSn = "cancel-" + round;
            assertEquals(201, hs.getFirst().handleRequest(reserveEvent(orderSn, Map.of(goods.get(0), 2, goods.get(1), 3)), null)
                    .getStatusCode());
            List<APIGatewayProxyResponseEvent> rs = runAll(10, hs.stream()
                    .<java.util.concurrent.Callable<APIGatewayProxyResponseEvent>>map(h -> () ->
                            h.handleRequest(actionEvent(orderSn, "cancel"), null)).toList());
            rs.forEach(r -> assertEquals(200, r.getStatusCode(), r.getBody()));
            rs.forEach(r -> assertEquals("RETURNED", json(r).path("status").asText()));
            assertEquals(List.of(50, 50), goods.stream().map(InventoryFixture::stock).toList());
        }
    }

    @Test
    void cancelConfirmAndSweeper_racingOnOneOrder_haveExactlyOneOutcome() throws Exception {
        List<InventoryApiHandler> hs = instances(2, Map.of());
        ReservationSweeperHandler sweeper = sweeper();
        Map<String, Integer> outcomes = new HashMap<>();
        for (int round = 0; round < 30; round++) {
            long goods = newGoods();
            setStock(goods, 10);
            String orderSn = "race-" + round;
            assertEquals(201, hs.get(0).handleRequest(reserveEvent(orderSn, Map.of(goods, 4)), null).getStatusCode());
            // Expiry falls in the middle of the race: sometimes confirm wins, sometimes cancel, sometimes the sweeper.
            InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND"
                    + " WHERE order_sn = ?", (round % 3) * 4000, orderSn);
            List<java.util.concurrent.Callable<Object>> tasks = List.of(
                    () -> hs.get(0).handleRequest(actionEvent(orderSn, "confirm"), null),
                    () -> hs.get(1).handleRequest(actionEvent(orderSn, "cancel"), null),
                    () -> {
                        long deadline = System.nanoTime() + Duration.ofMillis(30).toNanos();
                        int returned = 0;
                        while (System.nanoTime() < deadline && returned == 0) {
                            returned = sweeper.handleRequest(null, null).returned();
                        }
                        return returned;
                    });
            List<Object> rs = runAll(3, tasks);
            APIGatewayProxyResponseEvent confirm = (APIGatewayProxyResponseEvent) rs.get(0);
            APIGatewayProxyResponseEvent cancel = (APIGatewayProxyResponseEvent) rs.get(1);
            String status = (String) InventoryFixture.query("SELECT status FROM stock_sell_detail WHERE order_sn = ?", orderSn)
                    .getFirst().getFirst();
            if (status.equals("CONFIRMED")) {
                assertEquals(200, confirm.getStatusCode(), confirm.getBody());
                assertEquals(409, cancel.getStatusCode(), cancel.getBody());
                assertEquals(0, rs.get(2));
                assertEquals(6, stock(goods));
                outcomes.merge("confirmed", 1, Integer::sum);
            } else {
                assertEquals("RETURNED", status);
                assertEquals(409, confirm.getStatusCode(), confirm.getBody());
                assertEquals(200, cancel.getStatusCode(), cancel.getBody());
                assertEquals(10, stock(goods), "stock returned exactly once");
                outcomes.merge(rs.get(2).equals(1) ? "swept" : "cancelled", 1, Integer::sum);
            }
        }
        System.out.println("race outcomes " + outcomes);
    }

    // ------------------------------------------------------------------ faults

    @Test
    void connectionKilledMidReserve_appliesNothing_andTheRetryReservesOnce() throws Exception {
        InventoryApiHandler h = instances(1, Map.of()).getFirst();
        JdbcInventoryRepository repo = repository(h);
        long goods = newGoods();
        setStock(goods, 10);
        repo.pauseBeforeCommitOnce(Duration.ofSeconds(20));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<APIGatewayProxyResponseEvent> reserve = pool.submit(() ->
                    h.handleRequest(reserveEvent("killed-1", Map.of(goods, 3)), null));
            long id = awaitSleepingConnection();
            // Paused mid-transaction: its deduction and detail row are not visible, then the connection dies.
            assertEquals(10, stock(goods));
            assertEquals(0, count("SELECT COUNT(*) FROM stock_sell_detail WHERE order_sn = 'killed-1'"));
            try (Connection c = shop.testing.TestStack.get().admin().getConnection(); Statement s = c.createStatement()) {
                s.execute("KILL " + id);
            }
            APIGatewayProxyResponseEvent r = reserve.get(60, TimeUnit.SECONDS);
            // The service retried on a fresh connection: 201, so the first attempt left no row behind.
            assertEquals(201, r.getStatusCode(), r.getBody());
            assertEquals(1, h.service().metrics().retries());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(7, stock(goods));
        assertEquals(1, count("SELECT COUNT(*) FROM stock_sell_detail WHERE order_sn = 'killed-1'"));
        // And a caller's own retry deducts nothing more.
        assertEquals(200, h.handleRequest(reserveEvent("killed-1", Map.of(goods, 3)), null).getStatusCode());
        assertEquals(7, stock(goods));
    }

    @Test
    void connectionKilledMidCancel_returnsNothing_andTheRetryReturnsOnce() throws Exception {
        InventoryApiHandler h = instances(1, Map.of()).getFirst();
        JdbcInventoryRepository repo = repository(h);
        long goods = newGoods();
        setStock(goods, 10);
        assertEquals(201, h.handleRequest(reserveEvent("killed-2", Map.of(goods, 3)), null).getStatusCode());
        repo.pauseBeforeCommitOnce(Duration.ofSeconds(20));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<APIGatewayProxyResponseEvent> cancel = pool.submit(() -> h.handleRequest(actionEvent("killed-2", "cancel"), null));
            long id = awaitSleepingConnection();
            try (Connection c = shop.testing.TestStack.get().admin().getConnection(); Statement s = c.createStatement()) {
                s.execute("KILL " + id);
            }
            APIGatewayProxyResponseEvent r = cancel.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.getStatusCode(), r.getBody());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(10, stock(goods));
        assertEquals(200, h.handleRequest(actionEvent("killed-2", "cancel"), null).getStatusCode());
        assertEquals(10, stock(goods));
    }

    private static JdbcInventoryRepository repository(InventoryApiHandler h) {
        return (JdbcInventoryRepository) h.service().repository();
    }

    /** awaitSleepingConnection polls the process list for the paused transaction's connection id. */
    private static long awaitSleepingConnection() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            // As the administrator: inside the trigger the session runs as its DEFINER (the migration
            // user), which the application user cannot see in the process list.
            try (Connection c = shop.testing.TestStack.get().admin().getConnection(); Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT id FROM information_schema.processlist"
                         + " WHERE state = 'User sleep' AND id <> CONNECTION_ID()")) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the paused transaction never showed in the process list");
    }

    private static String statuses(List<APIGatewayProxyResponseEvent> rs) {
        return rs.stream().map(r -> r.getStatusCode() + "").toList().toString();
    }
}
