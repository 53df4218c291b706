package shop.lock.jedis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import shop.lock.LockNode;
import shop.lock.LockResult;
import shop.lock.LockResult.Acquired;
import shop.lock.LockResult.NotAcquired;
import shop.lock.LockResult.Reason;
import shop.lock.Lease;
import shop.lock.RedLock;
import shop.lock.RedLockConfig;

/** The RedLock on five real Redis servers, each client with its own Jedis connections. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedLockRedisTest extends FiveRedisNodes {

    private static final RedLockConfig CONFIG = config("lock:");

    /** client is one "Lambda instance": its own RedLock and its own Jedis pools to all five nodes. */
    private RedLock client(RedLockConfig config) {
        List<JedisLockNode> nodes = JedisLockNode.connectAll(redis.addresses(), OPTIONS);
        opened.addAll(nodes);
        var lock = new RedLock(List.<LockNode>copyOf(nodes), config);
        opened.add(lock);
        return lock;
    }

    private RedLock client() {
        return client(CONFIG);
    }

    private static Lease acquired(LockResult result) {
        return assertInstanceOf(Acquired.class, result).lease();
    }

    private static Reason notAcquired(LockResult result) {
        return assertInstanceOf(NotAcquired.class, result).reason();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, Duration.ofSeconds(10), condition);
    }

    private static int nodesHolding(String key) {
        int n = 0;
        for (int i = 0; i < redis.size(); i++) {
            if (redis.isRunning(i) && redis.admin(i).exists(key)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void acquire_setsKeyOnAllNodes_andReleaseDeletesIt() {
        var lease = acquired(client().acquire(List.of("g1")));
        for (int i = 0; i < 5; i++) {
            long pttl = redis.admin(i).pttl("lock:g1");
            assertTrue(pttl > 0 && pttl <= TTL.toMillis(), "pttl on node " + i + ": " + pttl);
        }
        assertTrue(lease.isValid());
        assertTrue(lease.release());
        assertEquals(0, nodesHolding("lock:g1"));
        assertFalse(lease.release(), "a second release must not succeed");
    }

    @Test
    void mutualExclusion_neverTwoHolders_andEveryWorkerAcquires() throws Exception {
        int workers = 12;
        int rounds = 15;
        var holders = new AtomicInteger();
        var maxHolders = new AtomicInteger();
        var acquisitions = new AtomicInteger();
        var failures = Collections.synchronizedList(new ArrayList<String>());
        int[] unguarded = new int[1];
        var clients = new ArrayList<RedLock>();
        for (int w = 0; w < workers; w++) {
            clients.add(client());
        }
        var start = new CountDownLatch(1);
        var threads = new ArrayList<Thread>();
        for (var lock : clients) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        switch (lock.acquire(List.of("hot"), TTL, Duration.ofSeconds(20))) {
                            case Acquired(Lease lease) -> {
                                maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                                int seen = unguarded[0];
                                Thread.yield();
                                unguarded[0] = seen + 1;
                                holders.decrementAndGet();
                                acquisitions.incrementAndGet();
                                if (!lease.release()) {
                                    failures.add("release refused");
                                }
                            }
                            case NotAcquired n -> failures.add(n.toString());
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
        assertEquals(1, maxHolders.get(), "two workers held the lock at once");
        assertEquals(workers * rounds, acquisitions.get());
        assertEquals(workers * rounds, unguarded[0], "lost updates inside the critical section");
        long wakeups = clients.stream().mapToLong(c -> c.metrics().snapshot().wakeups()).sum();
        assertTrue(wakeups > 0, "waiters should have been woken by releases");
    }

    @Test
    void twoClients_neverHoldAtOnce_withImmediateAttempts() throws Exception {
        var holders = new AtomicInteger();
        var maxHolders = new AtomicInteger();
        var wins = new AtomicInteger();
        var start = new CountDownLatch(1);
        var threads = new ArrayList<Thread>();
        for (var lock : List.of(client(), client())) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 150; i++) {
                    if (lock.acquire(List.of("pair"), TTL, Duration.ZERO) instanceof Acquired(Lease lease)) {
                        maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                        Thread.yield();
                        holders.decrementAndGet();
                        wins.incrementAndGet();
                        lease.release();
                    }
                }
            }));
        }
        start.countDown();
        for (var t : threads) {
            t.join();
        }
        assertTrue(wins.get() > 0);
        assertEquals(1, maxHolders.get());
        assertEquals(0, nodesHolding("lock:pair"), "a failed or released attempt left a key behind");
    }

    @Test
    void multiKey_isAllOrNone_andLeavesNothingBehind() {
        var holderOfB = acquired(client().acquire(List.of("B")));
        var other = client();
        assertEquals(Reason.CONTENDED, notAcquired(other.acquire(List.of("A", "B"), TTL, Duration.ofMillis(100))));
        assertEquals(0, nodesHolding("lock:A"), "the A of a refused {A,B} must not stay locked");
        assertTrue(holderOfB.release());
        var both = acquired(other.acquire(List.of("B", "A"), TTL, Duration.ZERO));
        assertEquals(List.of("A", "B"), both.resources());
        assertEquals(5, nodesHolding("lock:A"));
        assertEquals(5, nodesHolding("lock:B"));
        assertTrue(both.release());
        assertEquals(0, nodesHolding("lock:A") + nodesHolding("lock:B"));
    }

    @Test
    void acquire_succeeds_withTwoOfFiveNodesDown() {
        redis.stop(0);
        redis.stop(3);
        var lock = client();
        var lease = acquired(lock.acquire(List.of("g1")));
        assertEquals(3, nodesHolding("lock:g1"));
        assertTrue(lease.extend(TTL));
        assertTrue(lease.release());
        assertTrue(lock.metrics().snapshot().nodeErrors() >= 4);
    }

    @Test
    void acquire_failsFast_withQuorumUnreachable_whenThreeOfFiveAreDown() {
        redis.stop(1);
        redis.stop(2);
        redis.stop(4);
        var lock = client();
        var result = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> lock.acquire(List.of("g1"), TTL, Duration.ofSeconds(20)));
        var failed = assertInstanceOf(NotAcquired.class, result);
        assertEquals(Reason.QUORUM_UNREACHABLE, failed.reason());
        assertEquals(1, failed.attempts());
        assertEquals(0, nodesHolding("lock:g1"), "the two live nodes must be released");
    }

    @Test
    void acquire_failsFast_whenThreeNodesAcceptButNeverAnswer() throws Exception {
        try (var silent = new SilentServers(3)) {
            String addresses = "127.0.0.1:" + redis.port(0) + ",127.0.0.1:" + redis.port(1) + "," + silent.addresses();
            List<JedisLockNode> nodes = JedisLockNode.connectAll(addresses, OPTIONS);
            opened.addAll(nodes);
            var lock = new RedLock(List.<LockNode>copyOf(nodes), CONFIG);
            opened.add(lock);
            var result = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> lock.acquire(List.of("g1"), TTL, Duration.ofSeconds(20)));
            assertEquals(Reason.QUORUM_UNREACHABLE, notAcquired(result));
        }
    }

    @Test
    void lease_survivesTwoNodesStoppedMidRun_butNotThree() {
        var lock = client();
        var lease = acquired(lock.acquire(List.of("g1")));
        redis.stop(1);
        redis.stop(3);
        assertEquals(Reason.CONTENDED, notAcquired(client().acquire(List.of("g1"), TTL, Duration.ZERO)));
        assertTrue(lease.extend(TTL), "three of five nodes still hold the lease");
        assertTrue(lease.release());
        var again = acquired(lock.acquire(List.of("g1"), TTL, Duration.ZERO));
        redis.stop(4);
        assertFalse(again.release(), "only two of five nodes could confirm");
        assertEquals(Reason.QUORUM_UNREACHABLE, notAcquired(lock.acquire(List.of("g1"), TTL, Duration.ofSeconds(5))));
    }

    @Test
    void nodeRestartedEmpty_doesNotHandTheLockToAnother_andRejoins() {
        var lease = acquired(client().acquire(List.of("g1")));
        redis.stop(0);
        redis.stop(2);
        redis.start(0);
        redis.start(2);
        assertEquals(3, nodesHolding("lock:g1"), "restarted nodes come back empty");
        var other = client();
        assertEquals(Reason.CONTENDED, notAcquired(other.acquire(List.of("g1"), TTL, Duration.ZERO)));
        assertEquals(3, nodesHolding("lock:g1"), "the refused attempt must release the two it won");
        assertTrue(lease.release(), "the holder still has three of five");
        var next = acquired(other.acquire(List.of("g1"), TTL, Duration.ZERO));
        assertEquals(5, nodesHolding("lock:g1"), "restarted nodes take part again (scripts reloaded)");
        assertTrue(next.release());
    }

    @Test
    void scripts_reload_afterScriptCacheFlush() {
        var lock = client();
        acquired(lock.acquire(List.of("g1"))).release();
        for (int i = 0; i < 5; i++) {
            redis.admin(i).scriptFlush();
        }
        var lease = acquired(lock.acquire(List.of("g1")));
        assertEquals(5, nodesHolding("lock:g1"));
        assertTrue(lease.extend(TTL));
        assertTrue(lease.release());
    }

    @Test
    void releaseAndExtend_areRefused_afterExpiry() throws Exception {
        var lock = client();
        var lease = acquired(lock.acquire(List.of("g1"), Duration.ofMillis(1200), Duration.ZERO));
        await("the keys expired on all nodes", () -> nodesHolding("lock:g1") == 0);
        assertFalse(lease.isValid());
        assertFalse(lease.extend(TTL));
        assertFalse(lease.release());
        assertEquals(0, nodesHolding("lock:g1"), "a refused extend must not resurrect the keys");
        var s = lock.metrics().snapshot();
        assertEquals(1, s.extendRefused());
        assertEquals(1, s.releaseRefused());
    }

    @Test
    void releaseAndExtend_areRefused_afterAnotherClientTookTheKey() {
        var first = acquired(client().acquire(List.of("g1")));
        // The keys vanish under a still-valid lease, as after a pause past expiry seen from Redis.
        for (int i = 0; i < 5; i++) {
            redis.admin(i).del("lock:g1");
        }
        var second = acquired(client().acquire(List.of("g1"), TTL, Duration.ZERO));
        assertTrue(first.isValid(), "the test needs the first lease locally valid");
        assertFalse(first.extend(Duration.ofSeconds(60)));
        assertFalse(first.release());
        assertEquals(5, nodesHolding("lock:g1"), "the first holder must not delete the second's keys");
        assertTrue(redis.admin(0).pttl("lock:g1") <= TTL.toMillis(), "the first holder extended the second's keys");
        assertTrue(second.release());
    }

    @Test
    void extend_beforeExpiry_prolongsTheKeysAndTheLease() {
        var lease = acquired(client().acquire(List.of("g1"), Duration.ofMillis(1500), Duration.ZERO));
        var before = lease.validUntil();
        assertTrue(lease.extend(Duration.ofSeconds(20)));
        for (int i = 0; i < 5; i++) {
            assertTrue(redis.admin(i).pttl("lock:g1") > 10_000, "node " + i + " was not extended");
        }
        assertTrue(lease.validUntil().isAfter(before.plusSeconds(10)));
        assertEquals(Reason.CONTENDED, notAcquired(client().acquire(List.of("g1"), TTL, Duration.ZERO)));
        assertTrue(lease.release());
    }

    @Test
    void release_withNobodyWaiting_pushesNoSignal() {
        var lease = acquired(client().acquire(List.of("g1")));
        assertTrue(lease.release());
        for (int i = 0; i < 5; i++) {
            assertFalse(redis.admin(i).exists("lock:g1:wake"), "node " + i + " got a signal nobody waits for");
            assertFalse(redis.admin(i).exists("lock:g1:waiters"), "node " + i + " counts a waiter");
        }
    }

    @Test
    void waiter_acquiresOnRelease_longBeforeItsFallbackPoll() throws Exception {
        var slowPoll = new RedLockConfig("lock:", TTL, Duration.ofSeconds(25), NODE_TIMEOUT,
                Duration.ofMillis(5), Duration.ofSeconds(20), Duration.ofSeconds(20));
        var holder = client();
        var waiter = client(slowPoll);
        var lease = acquired(holder.acquire(List.of("g1")));
        var result = new CompletableFuture<LockResult>();
        int blockedBefore = blockedClients();
        Thread.ofPlatform().start(() -> result.complete(waiter.acquire(List.of("g1"))));
        // Ordering, not timing: the waiter is parked in BLPOP on the signal node before the release.
        await("the waiter blocks in BLPOP", () -> blockedClients() == blockedBefore + 1);
        assertFalse(result.isDone());
        assertTrue(lease.release());
        // Had the wake-up failed, the waiter would sleep 20 s in BLPOP; the class timeout is 30 s.
        var next = acquired(result.get(10, TimeUnit.SECONDS));
        var s = waiter.metrics().snapshot();
        assertTrue(s.wakeups() >= 1, "the waiter was never woken: " + s);
        assertEquals(0, s.pollTimeouts(), "the waiter ran into its fallback poll");
        assertTrue(next.release());
    }

    @Test
    void waiters_areWokenOneAtATime_inArrivalOrder() throws Exception {
        var slowPoll = new RedLockConfig("lock:", TTL, Duration.ofSeconds(25), NODE_TIMEOUT,
                Duration.ofMillis(5), Duration.ofSeconds(20), Duration.ofSeconds(20));
        var lease = acquired(client().acquire(List.of("g1")));
        int blockedBefore = blockedClients();
        var order = Collections.synchronizedList(new ArrayList<Integer>());
        var leases = new ArrayList<CompletableFuture<Lease>>();
        for (int w = 0; w < 3; w++) {
            int id = w;
            var waiter = client(slowPoll);
            var future = new CompletableFuture<Lease>();
            leases.add(future);
            Thread.ofPlatform().start(() -> {
                var l = acquired(waiter.acquire(List.of("g1")));
                order.add(id);
                future.complete(l);
            });
            await("waiter " + w + " blocks", () -> blockedClients() == blockedBefore + id + 1);
        }
        assertTrue(lease.release());
        for (int w = 0; w < 3; w++) {
            var l = leases.get(w).get(10, TimeUnit.SECONDS);
            assertEquals(w, order.get(w), "woken out of arrival order: " + order);
            assertEquals(blockedBefore + 2 - w, blockedClients(), "one release must wake exactly one waiter");
            assertTrue(l.release());
        }
    }

    /** blockedClients counts the clients blocked in BLPOP on every node (waiters of one key meet on one). */
    private static int blockedClients() {
        int blocked = 0;
        for (int i = 0; i < 5; i++) {
            blocked += blockedClients(i);
        }
        return blocked;
    }

    private static int blockedClients(int node) {
        for (String line : redis.admin(node).info("clients").split("\r?\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Integer.parseInt(line.substring("blocked_clients:".length()).strip());
            }
        }
        throw new AssertionError("no blocked_clients in INFO");
    }

    /** SilentServers accept connections and never answer, like a node behind a dropped route. */
    private static final class SilentServers implements AutoCloseable {
        private final List<ServerSocket> sockets = new ArrayList<>();
        private final List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());

        SilentServers(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                var socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                sockets.add(socket);
                Thread.ofVirtual().start(() -> {
                    while (!socket.isClosed()) {
                        try {
                            accepted.add(socket.accept());
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
            }
        }

        String addresses() {
            return String.join(",", sockets.stream().map(s -> "127.0.0.1:" + s.getLocalPort()).toList());
        }

        @Override
        public void close() throws IOException {
            for (var s : sockets) {
                s.close();
            }
            for (var s : accepted) {
                s.close();
            }
        }
    }
}
