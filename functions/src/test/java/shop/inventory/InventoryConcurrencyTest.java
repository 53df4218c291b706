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
import com.fasterxml.jackson.databind.JsonNode;
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
    void closeInstances_andReconcile() throws Exception {
        for (InventoryApiHandler h : instances) {
            h.close();
        }
        for (ReservationSweeperHandler s : sweepers) {
            s.close();
        }
        // After every run: no goods oversold, and every goods' counters equal its records.
        InventoryFixture.assertReconciled();
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

    /**
     * assertConserved checks, for every goods, onHand = initial - units of CONFIRMED reservations and
     * reserved = units of RESERVED ones: every unit is on the shelf, held, or sold, exactly once.
     */
    static void assertConserved(Map<Long, Integer> initial) {
        Map<Long, Integer> held = units("RESERVED");
        Map<Long, Integer> sold = units("CONFIRMED");
        for (var e : initial.entrySet()) {
            List<Long> level = InventoryFixture.level(e.getKey());
            assertEquals(e.getValue() - sold.getOrDefault(e.getKey(), 0), level.get(0).intValue(),
                    "goods " + e.getKey() + ": onHand != initial - sold");
            assertEquals(held.getOrDefault(e.getKey(), 0), level.get(1).intValue(),
                    "goods " + e.getKey() + ": reserved != units of RESERVED reservations");
            assertTrue(level.get(1) <= level.get(0), "goods " + e.getKey() + " oversold: " + level);
        }
    }

    /** units sums the items of the reservations in a status, by goods. */
    static Map<Long, Integer> units(String status) {
        Map<Long, Integer> out = new HashMap<>();
        for (List<Object> row : InventoryFixture.query("SELECT items FROM stock_sell_detail WHERE status = ?", status)) {
            for (var item : parse((String) row.getFirst())) {
                out.merge(item.path("goodsId").asLong(), item.path("num").asInt(), Integer::sum);
            }
        }
        return out;
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

    /** after runs a task once {@code delayMillis} passed (0: at once), so that a round can favour one racer. */
    private static <T> java.util.concurrent.Callable<T> after(long delayMillis, java.util.concurrent.Callable<T> task) {
        return () -> {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            return task.call();
        };
    }

    @Test
    void cancelConfirmAndSweeper_racingOnOneOrder_eachWinsSometimes_andNoOrderHasTwoOutcomes() throws Exception {
        List<InventoryApiHandler> hs = instances(2, Map.of());
        ReservationSweeperHandler sweeper = sweeper();
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        Random random = new Random(42);
        for (int round = 0; round < 36; round++) {
            long goods = newGoods();
            setStock(goods, 10);
            String orderSn = "race-" + round;
            assertEquals(201, hs.get(0).handleRequest(reserveEvent(orderSn, Map.of(goods, 4)), null).getStatusCode());
            // Each round gives one racer a head start of up to 15 ms and sets the expiry so that it can win:
            // confirm needs time left, the sweeper needs none. The others race for real (their own start
            // is random too), so the database decides every round.
            int favoured = round % 3;
            long expiryMicros = switch (favoured) {
                case 0 -> 10_000_000L;                  // confirm: ten seconds left
                case 1 -> random.nextInt(8_000);        // cancel: expiry in the middle of the race
                default -> -1_000L;                     // sweeper: already expired
            };
            InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND"
                    + " WHERE order_sn = ?", expiryMicros, orderSn);
            long[] delay = {1 + random.nextInt(15), 1 + random.nextInt(15), 1 + random.nextInt(15)};
            delay[favoured] = 0;
            List<java.util.concurrent.Callable<Object>> tasks = List.of(
                    after(delay[0], () -> hs.get(0).handleRequest(actionEvent(orderSn, "confirm"), null)),
                    after(delay[1], () -> hs.get(1).handleRequest(actionEvent(orderSn, "cancel"), null)),
                    after(delay[2], () -> {
                        long deadline = System.nanoTime() + Duration.ofMillis(40).toNanos();
                        int returned = 0;
                        while (System.nanoTime() < deadline && returned == 0) {
                            returned = sweeper.handleRequest(null, null).returned();
                        }
                        return returned;
                    }));
            List<Object> rs = runAll(3, tasks);
            APIGatewayProxyResponseEvent confirm = (APIGatewayProxyResponseEvent) rs.get(0);
            APIGatewayProxyResponseEvent cancel = (APIGatewayProxyResponseEvent) rs.get(1);
            int swept = (Integer) rs.get(2);
            List<Object> row = InventoryFixture.query("SELECT status, return_reason FROM stock_sell_detail WHERE order_sn = ?",
                    orderSn).getFirst();
            String outcome = row.get(0).equals("CONFIRMED") ? "confirmed" : String.valueOf(row.get(1));
            // One outcome, recorded once: the reservation's RESERVE and exactly one settle row.
            List<String> ledger = InventoryFixture.movements(goods);
            String at = "round " + round + " (" + outcome + "): " + ledger + " confirm " + confirm.getStatusCode()
                    + " cancel " + cancel.getStatusCode() + " swept " + swept;
            switch (outcome) {
                case "confirmed" -> {
                    assertEquals(200, confirm.getStatusCode(), at);
                    assertEquals(409, cancel.getStatusCode(), at);
                    assertEquals(PROBLEM + "reservation-confirmed", problemType(cancel), at);
                    assertEquals(0, swept, at);
                    assertEquals(List.of("OPENING 10/0", "RESERVE 0/4 " + orderSn, "CONFIRM -4/-4 " + orderSn), ledger, at);
                    assertEquals(List.of(6L, 0L, 1L), InventoryFixture.level(goods), at);
                }
                case "cancelled" -> {
                    assertEquals(409, confirm.getStatusCode(), at);
                    assertEquals(200, cancel.getStatusCode(), at);
                    assertEquals("RETURNED", json(cancel).path("status").asText(), at);
                    assertEquals(0, swept, at);
                    assertEquals(List.of("OPENING 10/0", "RESERVE 0/4 " + orderSn, "RELEASE 0/-4 " + orderSn + " cancelled"),
                            ledger, at);
                    assertEquals(List.of(10L, 0L, 0L), InventoryFixture.level(goods), at);
                }
                case "expired" -> {
                    assertEquals(409, confirm.getStatusCode(), at);
                    assertEquals(PROBLEM + "reservation-expired", problemType(confirm), at);
                    assertEquals(200, cancel.getStatusCode(), at); // cancelling a returned one answers RETURNED
                    assertEquals(1, swept, at);
                    assertEquals(List.of("OPENING 10/0", "RESERVE 0/4 " + orderSn, "RELEASE 0/-4 " + orderSn + " expired"),
                            ledger, at);
                    assertEquals(List.of(10L, 0L, 0L), InventoryFixture.level(goods), at);
                }
                default -> throw new AssertionError(at);
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("race outcomes " + outcomes);
        assertEquals(java.util.Set.of("confirmed", "cancelled", "expired"), outcomes.keySet(),
                "each of confirm, cancel and the sweeper must win at least once over the rounds: " + outcomes);
    }

    // ------------------------------------------------------------------ counts, adjustments, extension, partial

    @Test
    void stockCounts_racingReservationsAndConfirms_applyOrGet412_andNeverOversell() throws Exception {
        List<InventoryApiHandler> hs = instances(8, Map.of());
        long goods = newGoods();
        setStock(goods, 400);
        Map<String, AtomicInteger> countStatuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            InventoryApiHandler h = hs.get(t);
            int worker = t;
            tasks.add(() -> {
                for (int i = 0; i < 40; i++) {
                    String orderSn = "cnt-" + worker + "-" + i;
                    APIGatewayProxyResponseEvent r = h.handleRequest(reserveEvent(orderSn, Map.of(goods, 1 + i % 3)), null);
                    if (r.getStatusCode() == 201 && i % 2 == 0) {
                        r = h.handleRequest(actionEvent(orderSn, "confirm"), null);
                    } else if (r.getStatusCode() == 201 && i % 4 == 1) {
                        r = h.handleRequest(actionEvent(orderSn, "cancel"), null);
                    }
                    if (r.getStatusCode() >= 500) {
                        failures.add(r.getStatusCode() + " " + r.getBody());
                    }
                }
                return null;
            });
        }
        for (int t = 5; t < 8; t++) {
            InventoryApiHandler h = hs.get(t);
            tasks.add(() -> {
                for (int i = 0; i < 25; i++) {
                    // Read the stock, then count: on hand is what was read plus a few found on the shelf.
                    APIGatewayProxyResponseEvent read = h.handleRequest(InventoryFixture.event("GET", "/inventory/{goodsId}",
                            Map.of("goodsId", "" + goods), null, null), null);
                    long version = json(read).path("version").asLong();
                    int counted = json(read).path("onHand").asInt() + 5;
                    var put = InventoryFixture.event("PUT", "/inventory/{goodsId}", Map.of("goodsId", "" + goods),
                            "{\"onHand\":" + counted + "}", "admin");
                    put.setHeaders(Map.of("Content-Type", "application/json", "If-Match", "\"" + version + "\""));
                    APIGatewayProxyResponseEvent r = h.handleRequest(put, null);
                    countStatuses.computeIfAbsent("" + r.getStatusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (r.getStatusCode() == 200) {
                        // Applied exactly as counted, on the version it named.
                        if (json(r).path("onHand").asInt() != counted || json(r).path("version").asLong() != version + 1) {
                            failures.add("count applied wrongly: " + r.getBody() + " counted " + counted + " at " + version);
                        }
                    } else if (r.getStatusCode() == 412) {
                        if (json(r).path("version").asLong() == version) {
                            failures.add("412 naming the version it was sent: " + r.getBody());
                        }
                    } else {
                        failures.add("a count with a fresh If-Match answered " + r.getStatusCode() + " " + r.getBody());
                    }
                }
                return null;
            });
        }
        runAll(tasks.size(), tasks);
        assertTrue(failures.isEmpty(), failures.toString());
        System.out.println("count statuses " + countStatuses + ", retries " + totalRetries(hs));
        assertTrue(countStatuses.containsKey("200"), "no count applied: " + countStatuses);
        // Every unit is on the shelf, held or sold: onHand moved only by counts and confirms, both recorded.
        long counts = count("SELECT COUNT(*) FROM stock_movement WHERE goods_id = ? AND kind = 'COUNT'", goods);
        assertEquals(countStatuses.get("200").get() + 0L, counts, "one COUNT record per applied count");
        List<Long> level = InventoryFixture.level(goods);
        assertEquals(units("RESERVED").getOrDefault(goods, 0).longValue(), level.get(1));
        assertEquals(counts + count("SELECT COUNT(*) FROM stock_sell_detail WHERE status = 'CONFIRMED'"), level.get(2),
                "the version moved once per count and once per confirm");
    }

    @Test
    void adjustments_racingReservations_neverOversell_andAKeyRunsOnce() throws Exception {
        List<InventoryApiHandler> hs = instances(8, Map.of());
        long goods = newGoods();
        setStock(goods, 20);
        AtomicInteger added = new AtomicInteger();
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            InventoryApiHandler h = hs.get(t);
            int worker = t;
            tasks.add(() -> {
                for (int i = 0; i < 40; i++) {
                    String orderSn = "adj-" + worker + "-" + i;
                    APIGatewayProxyResponseEvent r = h.handleRequest(reserveEvent(orderSn, Map.of(goods, 2)), null);
                    String key = r.getStatusCode() + (r.getStatusCode() >= 400 ? " " + problemType(r) : "");
                    statuses.computeIfAbsent("reserve " + key, k -> new AtomicInteger()).incrementAndGet();
                    if (r.getStatusCode() == 201 && i % 3 == 0) {
                        h.handleRequest(actionEvent(orderSn, "confirm"), null);
                    }
                    if (r.getStatusCode() != 201 && !(r.getStatusCode() == 409 && problemType(r).endsWith("insufficient-stock"))) {
                        failures.add(r.getStatusCode() + " " + r.getBody());
                    }
                }
                return null;
            });
        }
        for (int t = 4; t < 8; t++) {
            InventoryApiHandler h = hs.get(t);
            int worker = t;
            tasks.add(() -> {
                for (int i = 0; i < 30; i++) {
                    boolean receive = i % 2 == 0;
                    String body = receive ? "{\"delta\":3,\"reason\":\"received\"}" : "{\"delta\":-2,\"reason\":\"damaged\"}";
                    var e = InventoryFixture.event("POST", "/inventory/{goodsId}/adjustments", Map.of("goodsId", "" + goods),
                            body, receive ? "service" : "admin");
                    // Every worker sends each receipt twice with one key, the second time at once after the first.
                    e.setHeaders(Map.of("Content-Type", "application/json", "Idempotency-Key", "rcv-" + worker + "-" + i));
                    APIGatewayProxyResponseEvent r = h.handleRequest(e, null);
                    APIGatewayProxyResponseEvent again = receive ? h.handleRequest(e, null) : null;
                    String key = r.getStatusCode() + (r.getStatusCode() >= 400 ? " " + problemType(r) : "");
                    statuses.computeIfAbsent((receive ? "receive " : "damage ") + key, k -> new AtomicInteger()).incrementAndGet();
                    if (r.getStatusCode() == 201) {
                        added.addAndGet(receive ? 3 : -2);
                        if (again != null && (again.getStatusCode() != 201 || !"true".equals(again.getHeaders().get("Idempotent-Replayed"))
                                || !json(again).equals(json(r)))) {
                            failures.add("replay of a receipt: " + again.getStatusCode() + " " + again.getBody());
                        }
                    } else if (!(r.getStatusCode() == 409 && problemType(r).endsWith("below-reserved") && !receive)) {
                        failures.add(r.getStatusCode() + " " + r.getBody());
                    }
                }
                return null;
            });
        }
        runAll(tasks.size(), tasks);
        System.out.println("adjustment race " + new java.util.TreeMap<>(statuses) + ", retries " + totalRetries(hs));
        assertTrue(failures.isEmpty(), failures.toString());
        assertConserved(Map.of(goods, 20 + added.get()));
        assertEquals(60L, count("SELECT COUNT(*) FROM stock_movement WHERE goods_id = ? AND kind = 'ADJUSTMENT'"
                + " AND reason = 'received'", goods), "each receipt once, however often its key was sent");
    }

    @Test
    void sameAdjustmentKey_from10InstancesAtOnce_runsOnce() throws Exception {
        List<InventoryApiHandler> hs = instances(10, Map.of());
        for (int round = 0; round < 5; round++) {
            long goods = newGoods();
            setStock(goods, 5);
            String key = "delivery-" + round;
            List<APIGatewayProxyResponseEvent> rs = runAll(10, hs.stream()
                    .<java.util.concurrent.Callable<APIGatewayProxyResponseEvent>>map(h -> () -> {
                        var e = InventoryFixture.event("POST", "/inventory/{goodsId}/adjustments",
                                Map.of("goodsId", "" + goods), "{\"delta\":7,\"reason\":\"received\"}", "service");
                        e.setHeaders(Map.of("Content-Type", "application/json", "Idempotency-Key", key));
                        return h.handleRequest(e, null);
                    }).toList());
            rs.forEach(r -> assertEquals(201, r.getStatusCode(), r.getBody()));
            assertEquals(9, rs.stream().filter(r -> "true".equals(r.getHeaders().get("Idempotent-Replayed"))).count(), statuses(rs));
            rs.forEach(r -> assertEquals(json(rs.getFirst()), json(r)));
            assertEquals(List.of(12L, 0L, 1L), InventoryFixture.level(goods));
            assertEquals(List.of("OPENING 5/0", "ADJUSTMENT 7/0 received"), InventoryFixture.movements(goods));
        }
    }

    @Test
    void extension_racingTheSweeper_isExtendedOrExpired_neverBoth() throws Exception {
        List<InventoryApiHandler> hs = instances(4, Map.of());
        ReservationSweeperHandler sweeper = sweeper();
        long goods = newGoods();
        setStock(goods, 1000);
        int n = 60;
        for (int i = 0; i < n; i++) {
            assertEquals(201, hs.get(0).handleRequest(reserveEvent("ext-" + i, Map.of(goods, 1)), null).getStatusCode());
        }
        // A third expired already, a third has minutes left, and a third expires during the race (set in
        // one statement just before it starts): for those, the extension may check before the expiry and
        // the sweeper after it, so the row lock decides.
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND"
                + " WHERE order_sn LIKE 'ext-%' AND MOD(CAST(SUBSTRING(order_sn, 5) AS UNSIGNED), 3) = 0");
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) + INTERVAL 5 MINUTE"
                + " WHERE order_sn LIKE 'ext-%' AND MOD(CAST(SUBSTRING(order_sn, 5) AS UNSIGNED), 3) = 2");
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) + INTERVAL FLOOR(RAND(7) * 120000)"
                + " MICROSECOND WHERE order_sn LIKE 'ext-%' AND MOD(CAST(SUBSTRING(order_sn, 5) AS UNSIGNED), 3) = 1");
        java.util.concurrent.atomic.AtomicBoolean sweeping = new java.util.concurrent.atomic.AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(hs.size() + 1);
        Map<String, APIGatewayProxyResponseEvent> answers = new ConcurrentHashMap<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            Future<Integer> sweeps = pool.submit(() -> {
                start.await();
                int returned = 0;
                while (sweeping.get()) {
                    returned += sweeper.handleRequest(null, null).returned();
                }
                return returned;
            });
            List<Future<?>> extensions = new ArrayList<>();
            for (int t = 0; t < hs.size(); t++) {
                InventoryApiHandler h = hs.get(t);
                int worker = t;
                extensions.add(pool.submit(() -> {
                    start.await();
                    for (int i = worker; i < n; i += hs.size()) {
                        answers.put("ext-" + i, h.handleRequest(InventoryFixture.event("POST",
                                "/inventory/reservations/{orderSn}/extend", Map.of("orderSn", "ext-" + i),
                                "{\"ttlSeconds\":600}", "service"), null));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : extensions) {
                f.get(120, TimeUnit.SECONDS);
            }
            // Every original expiry has passed by now or soon; let the sweeper take what is left, then stop it.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (count("SELECT COUNT(*) FROM stock_sell_detail WHERE order_sn LIKE 'ext-%' AND status = 'RESERVED'"
                    + " AND expires_at <= UTC_TIMESTAMP(3) + INTERVAL 1 SECOND") > 0) {
                assertTrue(System.nanoTime() < deadline, "the sweeper did not return the expired reservations");
                Thread.sleep(20);
            }
            sweeping.set(false);
            sweeps.get(60, TimeUnit.SECONDS);
        } finally {
            sweeping.set(false);
            pool.shutdownNow();
        }
        assertEquals(0, sweeper.handleRequest(null, null).returned(), "nothing left for the sweeper");
        int extended = 0;
        int expired = 0;
        Map<String, Integer> boundary = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            String orderSn = "ext-" + i;
            APIGatewayProxyResponseEvent r = answers.get(orderSn);
            List<Object> row = InventoryFixture.query("SELECT status, return_reason, expires_at > UTC_TIMESTAMP(3) + INTERVAL 500 SECOND"
                    + " FROM stock_sell_detail WHERE order_sn = ?", orderSn).getFirst();
            long releases = count("SELECT COUNT(*) FROM stock_movement WHERE order_sn = ? AND kind = 'RELEASE'", orderSn);
            String at = orderSn + ": " + r.getStatusCode() + " " + r.getBody() + " row " + row + " releases " + releases;
            if (r.getStatusCode() == 200) {
                extended++;
                assertEquals("RESERVED", row.get(0), at);
                assertEquals(1L, ((Number) row.get(2)).longValue(), at);
                assertEquals(0, releases, at);
                assertTrue(i % 3 != 0, "an expired reservation was extended: " + at);
            } else {
                expired++;
                assertEquals(409, r.getStatusCode(), at);
                assertEquals(PROBLEM + "reservation-expired", problemType(r), at);
                assertEquals("RETURNED", row.get(0), at);
                assertEquals("expired", row.get(1), at);
                assertEquals(1, releases, at);
                assertTrue(i % 3 != 2, "a reservation with minutes left expired: " + at);
            }
            if (i % 3 == 1) {
                boundary.merge(r.getStatusCode() == 200 ? "extended" : "expired", 1, Integer::sum);
            }
        }
        System.out.println("extension race: " + extended + " extended, " + expired + " expired; expiring during the race: "
                + boundary);
        assertTrue(extended >= n / 3 && expired >= n / 3, extended + " extended, " + expired + " expired");
        assertConserved(Map.of(goods, 1000));
    }

    @Test
    void partialReservations_racingAllOrNothingOnes_onTheLastUnits_neverOversell() throws Exception {
        List<InventoryApiHandler> hs = instances(12, Map.of());
        for (int round = 0; round < 5; round++) {
            List<Long> goods = newGoods(2);
            setStock(goods.get(0), 10);
            setStock(goods.get(1), 4);
            List<java.util.concurrent.Callable<APIGatewayProxyResponseEvent>> tasks = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                InventoryApiHandler h = hs.get(i % hs.size());
                String orderSn = "last-" + round + "-" + i;
                boolean partial = i % 2 == 0;
                String body = "{\"orderSn\":\"" + orderSn + "\",\"items\":[{\"goodsId\":" + goods.get(0) + ",\"num\":"
                        + (partial ? 3 : 2) + "},{\"goodsId\":" + goods.get(1) + ",\"num\":1}]"
                        + (partial ? ",\"allowPartial\":true" : "") + "}";
                tasks.add(() -> h.handleRequest(InventoryFixture.event("POST", "/inventory/reservations", Map.of(), body,
                        "service"), null));
            }
            List<APIGatewayProxyResponseEvent> rs = runAll(tasks.size(), tasks);
            Map<Long, Integer> held = new HashMap<>();
            for (APIGatewayProxyResponseEvent r : rs) {
                if (r.getStatusCode() == 201) {
                    JsonNode body = json(r);
                    for (JsonNode item : body.path("items")) {
                        held.merge(item.path("goodsId").asLong(), item.path("num").asInt(), Integer::sum);
                    }
                    if (body.path("partial").asBoolean()) {
                        // What it got plus what it lacked is what it asked for, item by item.
                        for (JsonNode shortage : body.path("shortages")) {
                            assertTrue(shortage.path("available").asInt() < shortage.path("requested").asInt(), r.getBody());
                        }
                        assertTrue(body.path("items").size() >= 1, r.getBody());
                    } else {
                        assertEquals(List.of(2, 1), List.of(body.path("items").get(0).path("num").asInt(),
                                body.path("items").get(1).path("num").asInt()), r.getBody());
                    }
                } else {
                    assertEquals(409, r.getStatusCode(), r.getBody());
                    assertEquals(PROBLEM + "insufficient-stock", problemType(r), r.getBody());
                }
            }
            assertTrue(held.getOrDefault(goods.get(0), 0) <= 10 && held.getOrDefault(goods.get(1), 0) <= 4, held.toString());
            assertEquals(held.getOrDefault(goods.get(0), 0), units("RESERVED").getOrDefault(goods.get(0), 0));
            assertEquals(held.getOrDefault(goods.get(1), 0), units("RESERVED").getOrDefault(goods.get(1), 0));
            // Partial requests take what any refusal left: the second goods, asked by every request, sells out.
            assertEquals(4, held.getOrDefault(goods.get(1), 0), held.toString());
            assertConserved(Map.of(goods.get(0), 10, goods.get(1), 4));
        }
    }

    // ------------------------------------------------------------------ faults

    @Test
    void connectionKilledMidReserve_appliesNothing_andTheRetryReservesOnce() throws Exception {
        InventoryApiHandler h = instances(1, Map.of()).getFirst();
        long goods = newGoods();
        setStock(goods, 10);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (StatementPause pause = new StatementPause("INSERT", "inventory_reserve_apply", "killed-1")) {
            Future<APIGatewayProxyResponseEvent> reserve = pool.submit(() ->
                    h.handleRequest(reserveEvent("killed-1", Map.of(goods, 3)), null));
            long first = pause.awaitPaused(java.util.Set.of());
            // Paused inside the statement, after the trigger's writes: none of them is visible.
            assertNothingReserved(goods, "killed-1");
            StatementPause.kill(first);
            // The service retries on a fresh connection, which pauses again: the killed attempt left nothing.
            long second = pause.awaitPaused(java.util.Set.of(first));
            assertTrue(second != first);
            assertNothingReserved(goods, "killed-1");
            pause.release();
            APIGatewayProxyResponseEvent r = reserve.get(60, TimeUnit.SECONDS);
            assertEquals(201, r.getStatusCode(), r.getBody());
            assertEquals(1, h.service().metrics().retries());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(10L, 3L, 0L), InventoryFixture.level(goods));
        assertEquals(1, count("SELECT COUNT(*) FROM stock_sell_detail WHERE order_sn = 'killed-1'"));
        // And a caller's own retry reserves nothing more.
        assertEquals(200, h.handleRequest(reserveEvent("killed-1", Map.of(goods, 3)), null).getStatusCode());
        assertEquals(List.of(10L, 3L, 0L), InventoryFixture.level(goods));
    }

    private static void assertNothingReserved(long goods, String orderSn) {
        assertEquals(List.of(10L, 0L, 0L), InventoryFixture.level(goods));
        assertEquals(0, count("SELECT COUNT(*) FROM stock_sell_detail WHERE order_sn = ?", orderSn));
        assertEquals(List.of("OPENING 10/0"), InventoryFixture.movements(goods));
    }

    @Test
    void connectionKilledMidCancel_returnsNothing_andTheRetryReturnsOnce() throws Exception {
        InventoryApiHandler h = instances(1, Map.of()).getFirst();
        long goods = newGoods();
        setStock(goods, 10);
        assertEquals(201, h.handleRequest(reserveEvent("killed-2", Map.of(goods, 3)), null).getStatusCode());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (StatementPause pause = new StatementPause("UPDATE", "inventory_reservation_settle", "killed-2")) {
            Future<APIGatewayProxyResponseEvent> cancel = pool.submit(() -> h.handleRequest(actionEvent("killed-2", "cancel"), null));
            long first = pause.awaitPaused(java.util.Set.of());
            // Paused inside the cancel's statement, after the release and its ledger rows: none is visible.
            assertStillReserved(goods);
            StatementPause.kill(first);
            long second = pause.awaitPaused(java.util.Set.of(first));
            assertTrue(second != first);
            assertStillReserved(goods);
            pause.release();
            APIGatewayProxyResponseEvent r = cancel.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.getStatusCode(), r.getBody());
            assertEquals("RETURNED", json(r).path("status").asText());
            assertEquals(1, h.service().metrics().retries());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(10L, 0L, 0L), InventoryFixture.level(goods));
        assertEquals(List.of("OPENING 10/0", "RESERVE 0/3 killed-2", "RELEASE 0/-3 killed-2 cancelled"),
                InventoryFixture.movements(goods));
        assertEquals(200, h.handleRequest(actionEvent("killed-2", "cancel"), null).getStatusCode());
        assertEquals(List.of(10L, 0L, 0L), InventoryFixture.level(goods));
        assertEquals(3, InventoryFixture.movements(goods).size(), "a repeated cancel records nothing");
    }

    private static void assertStillReserved(long goods) {
        assertEquals(List.of(10L, 3L, 0L), InventoryFixture.level(goods));
        assertEquals("RESERVED", InventoryFixture.query("SELECT status FROM stock_sell_detail WHERE order_sn = 'killed-2'")
                .getFirst().getFirst());
        assertEquals(List.of("OPENING 10/0"), InventoryFixture.movements(goods));
    }

    private static String statuses(List<APIGatewayProxyResponseEvent> rs) {
        return rs.stream().map(r -> r.getStatusCode() + "").toList().toString();
    }
}
