package shop.lock.jedis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.RedisClient;
import shop.lock.GateNode;
import shop.lock.LockNode;
import shop.lock.LockResult.Reason;
import shop.lock.RedLock;
import shop.lock.RedLockConfig;
import shop.lock.SlotGate;
import shop.lock.SlotGate.Admitted;
import shop.lock.SlotGate.Open;
import shop.lock.SlotGate.Refused;
import shop.lock.SlotGateMetrics;

/**
 * The slot gate on five real Redis servers: quiet resources go through on one call, a hot one
 * admits at most its slots at once (observed by the holders themselves) and queues the rest first
 * come first served, leases are handed on and parked instead of taken again, and the bound holds
 * when the home node forgets everything or a holder vanishes. Each client is one "Lambda instance"
 * with its own RedLock, gate and connections.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlotGateRedisTest extends FiveRedisNodes {

    private static final RedLockConfig CONFIG = config("gate:");
    private final List<List<JedisLockNode>> nodesOf = Collections.synchronizedList(new ArrayList<>());

    private SlotGate client(RedLockConfig config, SlotGate.Config gate) {
        List<JedisLockNode> nodes = JedisLockNode.connectAll(redis.addresses(), OPTIONS);
        opened.addAll(nodes);
        nodesOf.add(nodes);
        var lock = new RedLock(List.<LockNode>copyOf(nodes), config);
        opened.add(lock);
        return new SlotGate(lock, nodes, gate);
    }

    private SlotGate client(int slots, int hotAfter) {
        return client(CONFIG, SlotGate.Config.of(slots, hotAfter));
    }

    private static long calls(List<JedisLockNode> nodes) {
        return nodes.stream().mapToLong(JedisLockNode::calls).sum();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, Duration.ofSeconds(20), condition);
    }

    private static SlotGate.Pass admitted(SlotGate.Admission a) {
        return assertInstanceOf(Admitted.class, a).pass();
    }

    @Test
    void quietResource_goesThrough_withOneCallToOneNode() {
        SlotGate gate = client(4, 4);
        long before = calls(nodesOf.getFirst());
        assertInstanceOf(Open.class, gate.enter(List.of("quiet"), Duration.ofSeconds(1)));
        assertEquals(1, calls(nodesOf.getFirst()) - before, "one round trip, no RedLock round");
        assertEquals(0, gate.metrics().snapshot().slotted());
        assertEquals(1, gate.metrics().snapshot().open());
    }

    @Test
    void burstOfArrivals_makesTheResourceHot_andTheMarkOutlivesTheBurst() {
        // A window of a second, so that a loaded machine's pauses between the calls do not end the burst.
        SlotGate gate = client(CONFIG, new SlotGate.Config(4, 2, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(1)));
        assertInstanceOf(Open.class, gate.enter(List.of("burst"), Duration.ofSeconds(1)));
        assertInstanceOf(Open.class, gate.enter(List.of("burst"), Duration.ofSeconds(1)));
        // The third arrival in the window is over hotAfter (2): from here on it takes slots.
        int hotAt = -1;
        for (int i = 0; i < 20 && hotAt < 0; i++) {
            SlotGate.Admission a = gate.enter(List.of("burst"), Duration.ofSeconds(1));
            if (a instanceof Admitted(SlotGate.Pass p)) {
                hotAt = i;
                p.close();
            }
        }
        assertTrue(hotAt >= 0, "a burst of arrivals never made the resource hot");
        String hotKey = "gate:burst:hot";
        int home = gate.homeOf("burst");
        long pttl = redis.admin(home).pttl(hotKey);
        assertTrue(pttl > 0 && pttl <= 2_000, "the hot mark lives on the home node for 2 s: " + pttl);
        assertInstanceOf(Admitted.class, gate.enter(List.of("burst"), Duration.ofSeconds(1)),
                "while the mark lasts, an arrival takes a slot even if it comes alone");
    }

    @Test
    void arrivalsThatWentOnBeforeTheResourceTurnedHot_holdSlots_forAMoment() {
        // Two quiet arrivals go on without a slot; the third turns the resource hot.
        SlotGate gate = client(CONFIG, new SlotGate.Config(3, 2, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(1)));
        assertInstanceOf(Open.class, gate.enter(List.of("turning"), Duration.ofSeconds(1)));
        assertInstanceOf(Open.class, gate.enter(List.of("turning"), Duration.ofSeconds(1)));
        SlotGate.Pass third = admitted(gate.enter(List.of("turning"), Duration.ofSeconds(1)));
        // Two slots are held for the two quiet arrivals, the third by the third arrival.
        assertEquals(3, redis.admin(gate.homeOf("turning")).zcard("gate:turning:slots"));
        long t0 = System.nanoTime();
        SlotGate.Pass fourth = admitted(gate.enter(List.of("turning"), Duration.ofSeconds(5)));
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= Duration.ofMillis(60).toNanos(), "the fourth got a slot while the quiet ones held them: "
                + waited / 1_000_000 + " ms");
        third.close();
        fourth.close();
    }

    @Test
    void waitersQueuedBehindSlotsKeptForQuietArrivals_getThemWhenTheyEnd_notAtTheirPoll() throws Exception {
        // Two quiet arrivals go on without a slot; the third turns the resource hot and finds both slots
        // kept for them (100 ms), with no holder to hand one on when that ends. Polls of 5 s, so that a
        // waiter served only by its poll cannot pass.
        var config = new SlotGate.Config(2, 2, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5));
        SlotGate gate = client(CONFIG, config);
        assertInstanceOf(Open.class, gate.enter(List.of("kept"), Duration.ofSeconds(1)));
        assertInstanceOf(Open.class, gate.enter(List.of("kept"), Duration.ofSeconds(1)));
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SlotGate waiter = client(CONFIG, config);
            var waited = new CompletableFuture<Long>();
            waits.add(waited);
            Thread.ofPlatform().start(() -> {
                try {
                    long t0 = System.nanoTime();
                    SlotGate.Pass p = admitted(waiter.enter(List.of("kept"), Duration.ofSeconds(20)));
                    waited.complete((System.nanoTime() - t0) / 1_000_000);
                    p.close();
                } catch (Throwable t) {
                    waited.completeExceptionally(t);
                }
            });
            long expected = i + 1;
            await("waiter " + i + " queued", () -> queueLength(gate, "kept") >= expected || waited.isDone());
        }
        long first = waits.getFirst().get(30, TimeUnit.SECONDS);
        assertTrue(first >= 60, "the arrival that turned the resource hot got a slot kept for a quiet arrival: "
                + first + " ms");
        for (var waited : waits) {
            long ms = waited.get(30, TimeUnit.SECONDS);
            // 100 ms of kept slots, plus a loaded machine's margin; far below the 5 s poll.
            assertTrue(ms < 1_500, "a waiter was served by its poll, not when the kept slots came free: " + ms + " ms");
        }
    }

    /**
     * OpenHold is a home node whose gate keeps slots for the arrivals that went on without one for
     * {@code holdMillis} instead of the gate's 100 ms: the test's open arrivals then surely leave
     * within the hold on a loaded machine, so that only the gate's decisions can break the bound.
     */
    private record OpenHold(JedisLockNode node, long holdMillis) implements GateNode {
        private GateNode.Settings held(GateNode.Settings s) {
            return new GateNode.Settings(s.hotAfter(), s.windowMillis(), s.hotForMillis(), s.slots(), s.minLeaseMillis(),
                    s.acquireMillis(), s.graceMillis(), s.extendBelowMillis(), s.inboxTtlMillis(), holdMillis);
        }

        @Override
        public Reply enter(String key, String inbox, long waitMillis, Settings settings, long deadlineNanos) {
            return node.enter(key, inbox, waitMillis, held(settings), deadlineNanos);
        }

        @Override
        public long serve(String key, Settings settings, long deadlineNanos) {
            return node.serve(key, held(settings), deadlineNanos);
        }

        @Override
        public HandOff handOff(String key, int slot, String value, long remainingMillis, boolean fresh,
                               Settings settings, long deadlineNanos) {
            return node.handOff(key, slot, value, remainingMillis, fresh, held(settings), deadlineNanos);
        }

        @Override
        public boolean drop(String key, int slot, Settings settings, long deadlineNanos) {
            return node.drop(key, slot, held(settings), deadlineNanos);
        }

        @Override
        public void block(String key, int slot, long millis, long deadlineNanos) {
            node.block(key, slot, millis, deadlineNanos);
        }

        @Override
        public Optional<Reply> leave(String key, String inbox, String entry, long deadlineNanos) {
            return node.leave(key, inbox, entry, deadlineNanos);
        }

        @Override
        public Optional<Reply> await(String key, String inbox, Duration timeout) {
            return node.await(key, inbox, timeout);
        }

        @Override
        public List<Boolean> quiet(List<String> keys, Settings settings, long deadlineNanos) {
            return node.quiet(keys, held(settings), deadlineNanos);
        }

        @Override
        public String name() {
            return node.name();
        }
    }

    /**
     * Inside counts the callers in the guarded section as the test sees them: Admitted holders until
     * they close their pass, Open arrivals until the test lets them leave; max is the most at once, and
     * maxAdmitting the most at once that an admission to a slot made.
     */
    private static final class Inside {
        private final AtomicInteger now = new AtomicInteger();
        private final AtomicInteger max = new AtomicInteger();
        private final AtomicInteger maxAdmitting = new AtomicInteger();

        SlotGate.Admission enter(SlotGate gate, String resource, Duration maxWait) {
            SlotGate.Admission a = gate.enter(List.of(resource), maxWait);
            if (!(a instanceof Refused)) {
                int in = now.incrementAndGet();
                max.accumulateAndGet(in, Math::max);
                if (a instanceof Admitted) {
                    maxAdmitting.accumulateAndGet(in, Math::max);
                }
            }
            return a;
        }

        void leave(SlotGate.Admission a) {
            now.decrementAndGet();
            if (a instanceof Admitted(SlotGate.Pass p)) {
                p.close();
            }
        }
    }

    /**
     * reheatClient is a client for the re-heat tests: 20 s leases, so that leases parked by a first burst
     * are still good when the resource turns hot again; hotAfter 2 with a 1 s window, so that a second
     * burst's arrivals fall in one; marks that last 300 ms; and slots kept for the quiet arrivals for 1 s
     * (OpenHold), so that the test's open arrivals leave well within that.
     */
    private SlotGate reheatClient(List<SlotGate> gates, int slots) {
        RedLockConfig longLease = new RedLockConfig("gate:", Duration.ofSeconds(20), Duration.ofSeconds(10),
                NODE_TIMEOUT, Duration.ofMillis(5), Duration.ofMillis(300), Duration.ofSeconds(1));
        var config = new SlotGate.Config(slots, 2, Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(1));
        List<JedisLockNode> nodes = JedisLockNode.connectAll(redis.addresses(), OPTIONS);
        opened.addAll(nodes);
        var lock = new RedLock(List.<LockNode>copyOf(nodes), longLease);
        opened.add(lock);
        var gate = new SlotGate(lock, nodes.stream().map(n -> new OpenHold(n, 1_000)).toList(), config);
        gates.add(gate);
        return gate;
    }

    @Test
    void leasesParkedByAnEarlierBurst_waitForTheArrivalsThatWentOnWhileTheResourceWasQuiet() throws Exception {
        int slots = 2;
        var gates = new ArrayList<SlotGate>();
        java.util.function.Supplier<SlotGate> newClient = () -> reheatClient(gates, slots);
        String r = "reheat";
        var inside = new Inside();

        // The first burst: two arrivals go on and leave, the third turns the resource hot and, with the
        // fourth, takes both slots; both leases are then parked, as nobody waits.
        inside.leave(assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1))));
        inside.leave(assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1))));
        SlotGate burst = newClient.get();
        SlotGate.Admission third = inside.enter(burst, r, Duration.ofSeconds(3));
        SlotGate.Admission fourth = inside.enter(burst, r, Duration.ofSeconds(3));
        admitted(third);
        admitted(fourth);
        inside.leave(third);
        inside.leave(fourth);
        int home = burst.homeOf(r);
        assertEquals(slots, redis.admin(home).zcard("gate:" + r + ":parked"), "both leases parked");

        // The resource turns quiet (its mark and window run out) while the parked leases are still good.
        await("the resource turned quiet", () -> !redis.admin(home).exists("gate:" + r + ":hot")
                && !redis.admin(home).exists("gate:" + r + ":n"));
        assertEquals(slots, redis.admin(home).zcard("gate:" + r + ":parked"), "the parked leases outlived the mark");

        // Two quiet arrivals go on without a slot and stay in; the third turns the resource hot again.
        SlotGate.Admission open1 = assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1)));
        SlotGate.Admission open2 = assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1)));
        SlotGate reheat = newClient.get();
        var again = new CompletableFuture<SlotGate.Admission>();
        Thread.ofPlatform().start(() -> again.complete(inside.enter(reheat, r, Duration.ofSeconds(10))));
        await("the arrival that turned it hot again queued or got in", () -> queueLength(reheat, r) == 1 || again.isDone());
        assertTrue(inside.max.get() <= slots, "a parked lease went out while the quiet arrivals held the slots: "
                + inside.max.get() + " callers inside, " + slots + " slots");
        inside.leave(open1);
        inside.leave(open2);
        // Once the quiet arrivals' slots end, the waiter gets a parked lease, and the next arrival the other.
        SlotGate.Admission reheated = again.get(20, TimeUnit.SECONDS);
        admitted(reheated);
        SlotGate.Admission next = inside.enter(newClient.get(), r, Duration.ofSeconds(5));
        admitted(next);
        assertEquals(slots, inside.now.get());
        inside.leave(reheated);
        inside.leave(next);
        assertTrue(inside.max.get() <= slots, inside.max.get() + " callers inside at once, " + slots + " slots");
        SlotGateMetrics.Snapshot sum = sum(gates);
        assertEquals(slots, sum.acquired(), "the second burst ran on the parked leases, none taken again: " + sum);
        assertEquals(0, sum.lost(), sum.toString());
    }

    @Test
    void holderStillInWhenTheMarkLapsed_handsItsSlotToNobody_untilTheQuietArrivalsBesideItAreCounted()
            throws Exception {
        int slots = 2;
        var gates = new ArrayList<SlotGate>();
        java.util.function.Supplier<SlotGate> newClient = () -> reheatClient(gates, slots);
        String r = "outlived";
        var inside = new Inside();
        // A burst: two arrivals go on and leave, the third turns the resource hot and takes a slot, and stays in.
        inside.leave(assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1))));
        inside.leave(assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1))));
        SlotGate.Admission holder = inside.enter(newClient.get(), r, Duration.ofSeconds(2));
        admitted(holder);
        int home = gates.getFirst().homeOf(r);
        await("the hot mark lapsed with the holder still in", () -> !redis.admin(home).exists("gate:" + r + ":hot")
                && !redis.admin(home).exists("gate:" + r + ":n"));
        // What the gate does not promise: the quiet check does not look at the slots, so two quiet arrivals
        // go on beside the holder (package doc, "the bound, exactly").
        SlotGate.Admission open1 = assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1)));
        SlotGate.Admission open2 = assertInstanceOf(Open.class, inside.enter(newClient.get(), r, Duration.ofSeconds(1)));
        // What it does: the next arrival turns the resource hot again, counts them with the holder, and waits.
        SlotGate reheat = newClient.get();
        var again = new CompletableFuture<SlotGate.Admission>();
        Thread.ofPlatform().start(() -> again.complete(inside.enter(reheat, r, Duration.ofSeconds(10))));
        await("the arrival that turned it hot again queued or got in", () -> queueLength(reheat, r) == 1 || again.isDone());
        // The holder leaves: its lease is parked, not handed to the waiter, while the quiet arrivals count.
        inside.leave(holder);
        assertEquals(1, queueLength(reheat, r), "the holder handed its slot on beside the quiet arrivals");
        assertEquals(1, redis.admin(home).zcard("gate:" + r + ":parked"));
        inside.leave(open1);
        inside.leave(open2);
        SlotGate.Admission reheated = again.get(20, TimeUnit.SECONDS);
        admitted(reheated);
        inside.leave(reheated);
        assertTrue(inside.maxAdmitting.get() <= slots, "an admission made it " + inside.maxAdmitting.get()
                + " callers inside, " + slots + " slots");
        assertEquals(1, sum(gates).acquired(), "the waiter got the parked lease: " + sum(gates));
    }

    @Test
    void hotResource_admitsAtMostItsSlots_observedByTheHolders_andQueuesTheRest() throws Exception {
        int slots = 3;
        int workers = 10;
        int rounds = 20;
        var holders = new AtomicInteger();
        var maxHolders = new AtomicInteger();
        var admissions = new AtomicInteger();
        var failures = Collections.synchronizedList(new ArrayList<String>());
        var gates = new ArrayList<SlotGate>();
        for (int w = 0; w < workers; w++) {
            gates.add(client(slots, 0));
        }
        var start = new CountDownLatch(1);
        var threads = new ArrayList<Thread>();
        for (SlotGate gate : gates) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        switch (gate.enter(List.of("hot"), Duration.ofSeconds(20))) {
                            case Admitted(SlotGate.Pass pass) -> {
                                maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                                Thread.sleep(2); // the work a holder does, long enough for others to queue
                                holders.decrementAndGet();
                                admissions.incrementAndGet();
                                pass.close();
                            }
                            case Open o -> failures.add("a hot resource let a caller through without a slot");
                            case Refused f -> failures.add(f.toString());
                        }
                    }
                } catch (InterruptedException e) {
                    failures.add("interrupted");
                }
            }));
        }
        start.countDown();
        for (var t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
        assertEquals(workers * rounds, admissions.get());
        assertEquals(slots, maxHolders.get(), "at most " + slots + " holders at once, and the slots were all used");
        SlotGateMetrics.Snapshot sum = sum(gates);
        assertTrue(sum.queued() > 0 && sum.handedOver() > 0, "callers should have queued and been handed a slot: " + sum);
        assertTrue(sum.passedOn() > 0, "releases should have gone to waiters: " + sum);
        assertTrue(sum.acquired() <= slots + sum.blocked(), "a slot's lease is taken once, then handed on: " + sum);
        assertEquals(0, sum.lost(), "no lease expired while held: " + sum);
    }

    @Test
    void oneSlot_isAMutex_andWaitersAreServedInArrivalOrder() throws Exception {
        SlotGate holder = client(1, 0);
        SlotGate.Pass first = admitted(holder.enter(List.of("fifo"), Duration.ofSeconds(5)));
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SlotGate gate = client(1, 0);
            String name = "w" + i;
            long expected = i + 1;
            var done = new CompletableFuture<Void>();
            waiters.add(done);
            Thread.ofPlatform().start(() -> {
                try {
                    SlotGate.Pass p = admitted(gate.enter(List.of("fifo"), Duration.ofSeconds(20)));
                    order.add(name);
                    p.close();
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            // Each waiter is in the queue before the next one comes.
            await(name + " queued", () -> queueLength(holder, "fifo") == expected);
        }
        assertEquals(List.of(), order, "nobody may pass while the only slot is held");
        first.close();
        CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertEquals(List.of("w0", "w1", "w2", "w3"), order);
    }

    private static long queueLength(SlotGate gate, String resource) {
        return redis.admin(gate.homeOf(resource)).llen("gate:" + resource + ":queue");
    }

    @Test
    void releasedLease_isParked_andTheNextArrivalTakesIt_withoutAskingTheMajority() {
        SlotGate gate = client(1, 0);
        admitted(gate.enter(List.of("park"), Duration.ofSeconds(1))).close();
        long before = calls(nodesOf.getFirst());
        for (int i = 0; i < 5; i++) {
            admitted(gate.enter(List.of("park"), Duration.ofSeconds(1))).close();
        }
        SlotGateMetrics.Snapshot s = gate.metrics().snapshot();
        assertEquals(1, s.acquired(), "the slot was acquired once: " + s);
        assertEquals(5, s.fromPool(), s.toString());
        assertEquals(10, calls(nodesOf.getFirst()) - before, "two calls to the home node per admission");
        // The lease is still held on a majority, under the slot's key.
        String value = redis.admin(gate.homeOf("park")).zrange("gate:park:parked", 0, -1).getFirst().split("\\|")[1];
        int holding = 0;
        for (int i = 0; i < 5; i++) {
            holding += value.equals(redis.admin(i).get("gate:park#0")) ? 1 : 0;
        }
        assertEquals(5, holding, "the parked lease is the RedLock lease on every node");
    }

    @Test
    void homeNodeThatForgetsEverything_cannotLetASecondHolderIn() throws Exception {
        SlotGate a = client(1, 0);
        SlotGate b = client(1, 0);
        SlotGate.Pass held = admitted(a.enter(List.of("forget"), Duration.ofSeconds(5)));
        int home = a.homeOf("forget");
        redis.admin(home).flushAll(); // the home node restarts empty: no slots, no queue, no copy of the lease
        var second = new CompletableFuture<SlotGate.Admission>();
        Thread.ofPlatform().start(() -> second.complete(b.enter(List.of("forget"), Duration.ofSeconds(20))));
        // b's home node hands it slot 0, but the lease on the other four nodes refuses it; b then waits.
        await("b found the slot held", () -> b.metrics().snapshot().blocked() > 0);
        Thread.sleep(300);
        assertTrue(!second.isDone(), "a second holder got in while the first held the only slot: " + second.getNow(null));
        held.close(); // the hand-off goes to b
        SlotGate.Pass next = admitted(second.get(20, TimeUnit.SECONDS));
        next.close();
    }

    @Test
    void holderThatVanishes_losesItsSlotWhenTheLeaseRunsOut_andAWaiterGetsIt() throws Exception {
        RedLockConfig shortLease = new RedLockConfig("gate:", Duration.ofMillis(1500), Duration.ofSeconds(10),
                Duration.ofMillis(500), Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(100));
        SlotGate crashed = client(shortLease, SlotGate.Config.of(1, 0));
        SlotGate waiter = client(shortLease, SlotGate.Config.of(1, 0));
        admitted(crashed.enter(List.of("vanish"), Duration.ofSeconds(1))); // never closed: the instance died
        long t0 = System.nanoTime();
        SlotGate.Pass p = admitted(waiter.enter(List.of("vanish"), Duration.ofSeconds(15)));
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= Duration.ofMillis(1000).toNanos(), "the slot came free before the lease ran out: " + waited);
        assertEquals(1, waiter.metrics().snapshot().acquired(), "the waiter took the slot with a new lease");
        p.close();
    }

    @Test
    void waiter_givesUpAfterMaxWait_andLeavesTheQueue() {
        SlotGate holder = client(1, 0);
        SlotGate waiter = client(1, 0);
        SlotGate.Pass held = admitted(holder.enter(List.of("patience"), Duration.ofSeconds(1)));
        long t0 = System.nanoTime();
        var refused = assertInstanceOf(Refused.class, waiter.enter(List.of("patience"), Duration.ofMillis(400)));
        assertEquals(Reason.CONTENDED, refused.reason());
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(400).toNanos());
        assertEquals(0, queueLength(holder, "patience"), "a waiter that gave up must not stay queued");
        held.close();
        assertEquals(1, holder.metrics().snapshot().parked(), "with nobody waiting the lease is parked");
    }

    @Test
    void majorityDown_refusesAHotResource_butAQuietOneStillGoesThrough() {
        SlotGate gate = client(2, 0);
        SlotGate quiet = client(2, 1_000);
        int home = gate.homeOf("needs-lock");
        // Keep the home node up and stop three others: the gate answers, the RedLock cannot.
        List<Integer> stopped = new ArrayList<>();
        for (int i = 0; i < 5 && stopped.size() < 3; i++) {
            if (i != home) {
                redis.stop(i);
                stopped.add(i);
            }
        }
        var refused = assertInstanceOf(Refused.class, gate.enter(List.of("needs-lock"), Duration.ofSeconds(1)));
        assertEquals(Reason.QUORUM_UNREACHABLE, refused.reason());
        assertEquals(0, redis.admin(home).zcard("gate:needs-lock:slots"), "the slot it could not take is free again");
        String calm = "calm";
        for (int i = 0; stopped.contains(quiet.homeOf(calm)); i++) {
            calm = "calm-" + i;
        }
        assertInstanceOf(Open.class, quiet.enter(List.of(calm), Duration.ofSeconds(1)));
    }

    @Test
    void severalResources_slotsOnlyTheHotOnes_inSortedOrder() {
        SlotGate gate = client(CONFIG, new SlotGate.Config(2, 3, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(1)));
        // Make "b" hot; "a" and "c" stay quiet.
        for (int i = 0; i < 5; i++) {
            var a = gate.enter(List.of("b"), Duration.ofSeconds(1));
            if (a instanceof Admitted(SlotGate.Pass p)) {
                p.close();
            }
        }
        SlotGate.Pass pass = admitted(gate.enter(List.of("c", "b", "a"), Duration.ofSeconds(1)));
        assertEquals(List.of("b"), pass.resources());
        pass.close();
        assertInstanceOf(Open.class, gate.enter(List.of("c", "a"), Duration.ofSeconds(1)));
    }

    @Test
    void leaseOlderThanHalfItsTtl_isExtendedOnTheMajority_beforeItIsHandedOn() throws Exception {
        RedLockConfig shortLease = new RedLockConfig("gate:", Duration.ofMillis(2000), Duration.ofSeconds(10),
                Duration.ofMillis(500), Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(100));
        SlotGate gate = client(shortLease, SlotGate.Config.of(1, 0));
        SlotGate.Pass p = admitted(gate.enter(List.of("old"), Duration.ofSeconds(1)));
        Thread.sleep(1_200);
        p.close();
        assertEquals(1, gate.metrics().snapshot().extended());
        long pttl = redis.admin((gate.homeOf("old") + 1) % 5).pttl("gate:old#0");
        assertTrue(pttl > 1_500, "extended to a fresh 2 s on the nodes: " + pttl);
        SlotGate.Pass again = admitted(gate.enter(List.of("old"), Duration.ofSeconds(1)));
        assertNotEquals(0, again.leases().getFirst().remaining().toMillis());
        again.close();
        assertEquals(1, gate.metrics().snapshot().acquired(), "still the first lease, extended");
    }

    @Test
    void leaseHandedOnPastHalfItsTtl_isExtendedByTheHolderTheHomeNodeTells() throws Exception {
        RedLockConfig shortLease = new RedLockConfig("gate:", Duration.ofMillis(2000), Duration.ofSeconds(10),
                Duration.ofMillis(200), Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(100));
        SlotGate first = client(shortLease, SlotGate.Config.of(1, 0));
        SlotGate second = client(shortLease, SlotGate.Config.of(1, 0));
        admitted(first.enter(List.of("aged"), Duration.ofSeconds(1))).close(); // parked, about 1.8 s left
        Thread.sleep(1_000);
        SlotGate.Pass p = admitted(second.enter(List.of("aged"), Duration.ofSeconds(1)));
        assertEquals(1, second.metrics().snapshot().fromPool(), "took the parked lease");
        p.close();
        SlotGateMetrics.Snapshot s = second.metrics().snapshot();
        assertEquals(1, s.extended(), "the home node said less than half the ttl was left: " + s);
        assertEquals(0, s.acquired(), s.toString());
        assertEquals(1, s.parked(), "and then it was parked again: " + s);
        long pttl = redis.admin((second.homeOf("aged") + 1) % 5).pttl("gate:aged#0");
        assertTrue(pttl > 1_500, "extended to a fresh 2 s on the nodes: " + pttl);
    }

    @Test
    void handOnByAHolderWhoseLeaseRanOutAndWasTakenAgain_grantsNothing() throws Exception {
        // 2 s leases, handed-on leases extended below 1 s left: B may hand on without extending for a while.
        RedLockConfig shortLease = new RedLockConfig("gate:", Duration.ofMillis(2000), Duration.ofSeconds(10),
                Duration.ofMillis(500), Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(100));
        SlotGate a = client(shortLease, SlotGate.Config.of(1, 0));
        SlotGate b = client(shortLease, SlotGate.Config.of(1, 0));
        SlotGate c = client(shortLease, SlotGate.Config.of(1, 0));
        SlotGate d = client(shortLease, SlotGate.Config.of(1, 0));
        admitted(a.enter(List.of("stale"), Duration.ofSeconds(1))).close(); // lease V1, parked
        SlotGate.Pass stalled = admitted(b.enter(List.of("stale"), Duration.ofSeconds(1)));
        String v1 = lockValue("stale#0");
        assertEquals(1, b.metrics().snapshot().fromPool(), "B was handed V1, it did not take it");
        // B stalls (a GC, a frozen instance) past V1's end: C waits for the slot and takes it afresh, as V2.
        SlotGate.Pass fresh = admitted(c.enter(List.of("stale"), Duration.ofSeconds(15)));
        String v2 = lockValue("stale#0");
        assertNotEquals(v1, v2);
        assertEquals(1, c.metrics().snapshot().acquired());
        var fourth = new CompletableFuture<SlotGate.Admission>();
        Thread.ofPlatform().start(() -> fourth.complete(d.enter(List.of("stale"), Duration.ofSeconds(20))));
        await("D queued behind C", () -> queueLength(a, "stale") == 1);
        stalled.close(); // B wakes up and hands V1 on
        assertEquals(1, queueLength(a, "stale"), "V1 was handed to D while C holds slot 0 as V2");
        assertEquals(0, redis.admin(a.homeOf("stale")).zcard("gate:stale:parked"), "V1 was parked");
        assertEquals(1, b.metrics().snapshot().lost(), b.metrics().snapshot().toString());
        assertEquals(0, b.metrics().snapshot().passedOn() + b.metrics().snapshot().parked(), b.metrics().snapshot().toString());
        fresh.close(); // C hands V2 to D
        SlotGate.Pass next = admitted(fourth.get(20, TimeUnit.SECONDS));
        assertEquals(v2, lockValue("stale#0"), "D holds V2");
        next.close();
    }

    /** lockValue is the value a majority of nodes hold under a lock key (null if none). */
    private static String lockValue(String name) {
        var counts = new java.util.HashMap<String, Integer>();
        for (int i = 0; i < redis.size(); i++) {
            String v = redis.admin(i).get("gate:" + name);
            if (v != null && counts.merge(v, 1, Integer::sum) > redis.size() / 2) {
                return v;
            }
        }
        return null;
    }

    @Test
    void arrivalCountThatLostItsExpiry_getsItBack() throws Exception {
        SlotGate gate = client(CONFIG, new SlotGate.Config(4, 16, Duration.ofMillis(500), Duration.ofMillis(500),
                Duration.ofSeconds(1)));
        int home = gate.homeOf("counted");
        // What an INCR leaves when the window's count expired just after the SET NX that would have started it.
        redis.admin(home).set("gate:counted:n", "3");
        assertInstanceOf(Open.class, gate.enter(List.of("counted"), Duration.ofSeconds(1)), "still quiet");
        long pttl = redis.admin(home).pttl("gate:counted:n");
        assertTrue(pttl > 0 && pttl <= 500, "the count ends with a window again: " + pttl);
        await("the count expired", () -> !redis.admin(home).exists("gate:counted:n"));
        assertInstanceOf(Open.class, gate.enter(List.of("counted"), Duration.ofSeconds(1)));
    }

    @Test
    void afterAHotBurst_everyKeyOfTheResource_expiresOnEveryNode() throws Exception {
        SlotGate first = client(2, 0);
        SlotGate second = client(2, 0);
        SlotGate third = client(2, 0);
        SlotGate quitter = client(2, 0);
        SlotGate.Pass p1 = admitted(first.enter(List.of("spent"), Duration.ofSeconds(5)));
        SlotGate.Pass p2 = admitted(second.enter(List.of("spent"), Duration.ofSeconds(5)));
        var waiting = new CompletableFuture<SlotGate.Admission>();
        Thread.ofPlatform().start(() -> waiting.complete(third.enter(List.of("spent"), Duration.ofSeconds(20))));
        await("a waiter queued", () -> queueLength(first, "spent") == 1);
        assertInstanceOf(Refused.class, quitter.enter(List.of("spent"), Duration.ofMillis(200)));
        p1.close(); // handed to the waiter
        admitted(waiting.get(20, TimeUnit.SECONDS)).close(); // parked
        p2.close(); // parked
        int keys = 0;
        for (int i = 0; i < redis.size(); i++) {
            for (String key : redis.admin(i).keys("gate:spent*")) {
                keys++;
                assertNotEquals(-1L, redis.admin(i).pttl(key), "node " + i + " keeps " + key + " forever");
            }
        }
        assertTrue(keys >= 8, "the burst left its slots, parked leases and lock keys: " + keys + " keys");
    }

    @Test
    void laterWaiterWithLittleTimeLeft_doesNotShortenTheQueue() throws Exception {
        SlotGate holder = client(1, 0);
        SlotGate patient = client(1, 0);
        SlotGate hurried = client(1, 0);
        SlotGate.Pass held = admitted(holder.enter(List.of("line"), Duration.ofSeconds(1)));
        var waiting = new CompletableFuture<SlotGate.Admission>();
        Thread.ofPlatform().start(() -> waiting.complete(patient.enter(List.of("line"), Duration.ofSeconds(20))));
        await("the patient waiter queued", () -> queueLength(holder, "line") == 1);
        assertInstanceOf(Refused.class, hurried.enter(List.of("line"), Duration.ofMillis(100)));
        long pttl = redis.admin(holder.homeOf("line")).pttl("gate:line:queue");
        assertTrue(pttl > 15_000, "the queue must outlive the patient waiter's 20 s entry: " + pttl);
        held.close();
        admitted(waiting.get(20, TimeUnit.SECONDS)).close();
    }

    @Test
    void nodeThatHangsInTheTlsHandshake_failsTheCallWithinItsBound() throws Exception {
        try (var frozen = new shop.testing.FreezableProxy("127.0.0.1", redis.port(0))) {
            frozen.freeze();
            var client = RedisClient.create("127.0.0.1", frozen.port());
            try (var node = new JedisLockNode(client, "127.0.0.1", frozen.port(), true, OPTIONS)) {
                var settings = new shop.lock.GateNode.Settings(1, 100, 100, 1, 0, 1, 1, 1, 1, 1);
                long t0 = System.nanoTime();
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                        org.junit.jupiter.api.Assertions.assertThrows(shop.lock.LockNodeException.class,
                                () -> node.quiet(List.of("gate:tls"), settings, System.nanoTime())));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(millis < 2 * NODE_TIMEOUT.toMillis() + 500, "the handshake took " + millis + " ms");
            }
        }
    }

    private static SlotGateMetrics.Snapshot sum(List<SlotGate> gates) {
        long[] t = new long[14];
        for (SlotGate g : gates) {
            var s = g.metrics().snapshot();
            long[] v = {s.open(), s.fromPool(), s.acquired(), s.queued(), s.handedOver(), s.gaveUp(), s.quorumLost(),
                s.blocked(), s.passedOn(), s.parked(), s.extended(), s.dropped(), s.lost(), s.nodeErrors()};
            for (int i = 0; i < t.length; i++) {
                t[i] += v[i];
            }
        }
        return new SlotGateMetrics.Snapshot(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11],
                t[12], t[13]);
    }
}
