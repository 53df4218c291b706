package shop.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import shop.lock.LockResult.Acquired;
import shop.lock.LockResult.NotAcquired;
import shop.lock.LockResult.Reason;

/** Unit tests of the algorithm on in-memory nodes. */
class RedLockTest {

    private static final Duration TTL = Duration.ofSeconds(10);
    private static final RedLockConfig CONFIG = new RedLockConfig("lock:", TTL, Duration.ZERO,
            Duration.ofMillis(200), Duration.ofMillis(2), Duration.ofMillis(20), Duration.ofMillis(40));

    private final List<RedLock> locks = new ArrayList<>();

    @AfterEach
    void closeLocks() {
        locks.forEach(RedLock::close);
    }

    private RedLock lockOn(List<FakeLockNode> nodes) {
        var lock = new RedLock(List.copyOf(nodes), CONFIG);
        locks.add(lock);
        return lock;
    }

    private static List<FakeLockNode> nodes(int n) {
        return IntStream.range(0, n).mapToObj(i -> new FakeLockNode("fake-" + i)).toList();
    }

    @Test
    void quorum_isStrictMajority_forOneThreeAndFiveNodes() {
        assertEquals(1, RedLock.quorum(1));
        assertEquals(2, RedLock.quorum(2));
        assertEquals(2, RedLock.quorum(3));
        assertEquals(3, RedLock.quorum(4));
        assertEquals(3, RedLock.quorum(5));
    }

    @Test
    void validity_subtractsElapsedAndDrift_ofOnePercentPlusTwoMillis() {
        long ttl = Duration.ofSeconds(10).toNanos();
        assertEquals(Duration.ofMillis(102).toNanos(), RedLock.driftNanos(ttl));
        assertEquals(Duration.ofMillis(10_000 - 30 - 102).toNanos(),
                RedLock.validityNanos(ttl, Duration.ofMillis(30).toNanos()));
        assertEquals(Duration.ofMillis(100 - 50 - 3).toNanos(),
                RedLock.validityNanos(Duration.ofMillis(100).toNanos(), Duration.ofMillis(50).toNanos()));
        assertTrue(RedLock.validityNanos(Duration.ofMillis(100).toNanos(), Duration.ofMillis(98).toNanos()) < 0);
    }

    @Test
    void acquire_setsValidity_belowTtlMinusDrift() {
        var lock = lockOn(nodes(3));
        Instant before = Instant.now();
        var lease = assertInstanceOf(Acquired.class, lock.acquire(List.of("g1"))).lease();
        Duration upper = TTL.minusMillis(102);
        assertTrue(lease.remaining().compareTo(upper) <= 0, () -> "remaining " + lease.remaining());
        assertTrue(lease.remaining().compareTo(upper.minusMillis(500)) > 0, () -> "remaining " + lease.remaining());
        assertFalse(lease.validUntil().isAfter(Instant.now().plus(upper)));
        assertTrue(lease.validUntil().isAfter(before.plus(upper).minusMillis(500)));
    }

    @Test
    void acquire_succeeds_withSingleDevelopmentNode() {
        var node = new FakeLockNode("dev");
        var lock = lockOn(List.of(node));
        var lease = assertInstanceOf(Acquired.class, lock.acquire(List.of("g1"))).lease();
        assertEquals(lease.value(), node.get("lock:g1"));
        assertInstanceOf(NotAcquired.class, lockOn(List.of(node)).acquire(List.of("g1")));
        assertTrue(lease.release());
        assertNull(node.get("lock:g1"));
    }

    static Stream<Integer> everySubsetOfFive() {
        return IntStream.range(0, 32).boxed();
    }

    @ParameterizedTest(name = "down mask {0}")
    @MethodSource("everySubsetOfFive")
    void acquire_holdsQuorumOrFails_forEverySubsetOfUnreachableNodes(int downMask) {
        var nodes = nodes(5);
        for (int i = 0; i < 5; i++) {
            if ((downMask & (1 << i)) != 0) {
                nodes.get(i).mode(FakeLockNode.Mode.DOWN);
            }
        }
        int down = Integer.bitCount(downMask);
        LockResult result = lockOn(nodes).acquire(List.of("g1"), TTL, Duration.ofSeconds(5));
        if (down <= 2) {
            var lease = assertInstanceOf(Acquired.class, result).lease();
            for (int i = 0; i < 5; i++) {
                boolean up = (downMask & (1 << i)) == 0;
                // The key is set on every node that is up, and on none that is down.
                assertEquals(up ? lease.value() : null, nodes.get(i).get("lock:g1"), nodes.get(i).name());
            }
            assertTrue(lease.release());
            for (var node : nodes) {
                assertNull(node.get("lock:g1"), node.name() + " kept the key after the release");
            }
        } else {
            var failed = assertInstanceOf(NotAcquired.class, result);
            assertEquals(Reason.QUORUM_UNREACHABLE, failed.reason());
            assertEquals(1, failed.attempts(), "an unreachable quorum must not be retried until maxWait");
            for (int i = 0; i < 5; i++) {
                boolean up = (downMask & (1 << i)) == 0;
                // The minority that was up did set the key: the failed attempt must have taken it back.
                assertEquals(up ? 1 : 0, nodes.get(i).setCalls().size(), nodes.get(i).name() + " SET calls");
                assertNull(nodes.get(i).get("lock:g1"), nodes.get(i).name() + " kept the key of a failed attempt");
            }
        }
    }

    @Test
    void acquire_releasesWhereItWon_andNotWhereItWasRefused_whenQuorumLost() {
        var nodes = nodes(5);
        for (int i = 0; i < 3; i++) {
            nodes.get(i).put("lock:g1", "someone-else", TTL);
        }
        var result = lockOn(nodes).acquire(List.of("g1"), TTL, Duration.ZERO);
        assertEquals(Reason.CONTENDED, assertInstanceOf(NotAcquired.class, result).reason());
        for (int i = 0; i < 5; i++) {
            // A node that refused never set this attempt's value: a release there would be a wasted call.
            assertEquals(i < 3 ? 0 : 1, nodes.get(i).deleteCalls.get(), nodes.get(i).name() + " release calls");
        }
        assertNull(nodes.get(3).get("lock:g1"), "the node this client won must be released");
        assertNull(nodes.get(4).get("lock:g1"));
        assertEquals("someone-else", nodes.get(0).get("lock:g1"), "another client's key must survive");
    }

    @Test
    void acquire_releasesEvenWhereReplyWasLost_whenQuorumUnreachable() {
        var nodes = nodes(5);
        for (int i = 0; i < 3; i++) {
            nodes.get(i).mode(FakeLockNode.Mode.LOSES_REPLIES);
        }
        // A per-node bound no loaded machine misses: a late answer would add a second, late release.
        var patient = new RedLockConfig("lock:", TTL, Duration.ZERO, Duration.ofSeconds(2), Duration.ofMillis(2),
                Duration.ofMillis(20), Duration.ofMillis(40));
        var lock = new RedLock(List.copyOf(nodes), patient);
        locks.add(lock);
        var result = lock.acquire(List.of("g1"), TTL, Duration.ZERO);
        assertEquals(Reason.QUORUM_UNREACHABLE, assertInstanceOf(NotAcquired.class, result).reason());
        for (var node : nodes) {
            assertEquals(1, node.deleteCalls.get(), node.name() + " release calls");
            assertNull(node.get("lock:g1"), node.name() + " kept a key whose SET reply was lost");
        }
    }

    @Test
    void acquire_releasesLateSets_whenTheyAnswerAfterGivingUp() throws InterruptedException {
        var nodes = nodes(5);
        for (int i = 0; i < 3; i++) {
            nodes.get(i).mode(FakeLockNode.Mode.ANSWERS_LATE);
        }
        var result = lockOn(nodes).acquire(List.of("g1"), TTL, Duration.ZERO);
        assertEquals(Reason.QUORUM_UNREACHABLE, assertInstanceOf(NotAcquired.class, result).reason());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (nodes.stream().anyMatch(n -> n.get("lock:g1") != null || n.setCalls().isEmpty())) {
            assertTrue(System.nanoTime() < deadline, "a late SET kept its key until the ttl");
            Thread.sleep(5);
        }
    }

    @Test
    void acquire_fails_whenAnotherClientHoldsQuorum_andReportsContended() {
        var nodes = nodes(5);
        var holder = lockOn(nodes);
        assertInstanceOf(Acquired.class, holder.acquire(List.of("g1")));
        var result = lockOn(nodes).acquire(List.of("g1"), TTL, Duration.ofMillis(100));
        var failed = assertInstanceOf(NotAcquired.class, result);
        assertEquals(Reason.CONTENDED, failed.reason());
        assertTrue(failed.attempts() >= 2, "should have retried until maxWait");
        assertTrue(failed.waited().compareTo(Duration.ofMillis(100)) >= 0);
    }

    @Test
    void acquire_locksAllKeysSortedInOneCall_perNode() {
        var node = new FakeLockNode("dev");
        var lease = assertInstanceOf(Acquired.class, lockOn(List.of(node)).acquire(List.of("g9", "g1", "g5", "g1")))
                .lease();
        assertEquals(List.of(List.of("lock:g1", "lock:g5", "lock:g9")), node.setCalls());
        assertEquals(List.of("g1", "g5", "g9"), lease.resources());
    }

    @Test
    void acquire_usesFreshRandomValue_ofAtLeast128Bits() {
        var node = new FakeLockNode("dev");
        var lock = lockOn(List.of(node));
        var a = assertInstanceOf(Acquired.class, lock.acquire(List.of("a"))).lease();
        var b = assertInstanceOf(Acquired.class, lock.acquire(List.of("b"))).lease();
        var other = assertInstanceOf(Acquired.class, lockOn(List.of(new FakeLockNode("dev2"))).acquire(List.of("a"))).lease();
        assertNotEquals(a.value(), b.value());
        assertNotEquals(a.value(), other.value(), "two instances' first values must differ");
        // The random part, drawn once per instance, precedes a per-acquisition counter.
        String random = a.value().substring(0, a.value().indexOf('.'));
        assertTrue(Base64.getUrlDecoder().decode(random).length >= 16);
        assertNotEquals(random, other.value().substring(0, other.value().indexOf('.')));
    }

    @Test
    void release_withNobodyWaiting_signalsNobody() {
        var nodes = nodes(5);
        var lease = assertInstanceOf(Acquired.class, lockOn(nodes).acquire(List.of("g2"))).lease();
        assertTrue(lease.release());
        assertEquals(0, nodes.stream().mapToInt(FakeLockNode::tokens).sum(), "nobody waited, nobody is signalled");
    }

    @Test
    void acquire_rejectsEmptyOrBlankResources_andTooShortTtl() {
        var lock = lockOn(nodes(1));
        assertThrows(IllegalArgumentException.class, () -> lock.acquire(List.of()));
        assertThrows(IllegalArgumentException.class, () -> lock.acquire(List.of(" ")));
        var e = assertThrows(IllegalArgumentException.class,
                () -> lock.acquire(List.of("g1"), Duration.ofMillis(150), Duration.ZERO));
        assertTrue(e.getMessage().contains("perNodeTimeout"), e.getMessage());
    }

    @Test
    void waiter_registersOnOneNode_andIsWokenByRelease_beforeFallbackPoll() throws Exception {
        var nodes = nodes(5);
        var slowPoll = new RedLockConfig("lock:", TTL, Duration.ofSeconds(30), Duration.ofMillis(200),
                Duration.ofMillis(2), Duration.ofSeconds(20), Duration.ofSeconds(20));
        try (var holder = new RedLock(List.copyOf(nodes), slowPoll);
             var waiter = new RedLock(List.copyOf(nodes), slowPoll)) {
            var lease = assertInstanceOf(Acquired.class, holder.acquire(List.of("g1"))).lease();
            var result = new java.util.concurrent.CompletableFuture<LockResult>();
            Thread.ofVirtual().start(() -> result.complete(waiter.acquire(List.of("g1"))));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (nodes.stream().mapToInt(n -> n.waiting.get()).sum() == 0) {
                assertFalse(result.isDone(), "waiter should be waiting, got " + result.getNow(null));
                assertTrue(System.nanoTime() < deadline, "waiter never started waiting");
                Thread.sleep(1);
            }
            assertEquals(1, nodes.stream().filter(n -> n.waiters("lock:g1") == 1).count(), "registered on one node");
            assertEquals(1, nodes.stream().filter(n -> n.waiting.get() == 1).count(), "waits on that node");
            assertTrue(lease.release());
            var acquired = assertInstanceOf(Acquired.class, result.get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, waiter.metrics().snapshot().pollTimeouts(), "woke by the fallback poll, not the release");
            assertEquals(0, nodes.stream().mapToInt(n -> n.waiters("lock:g1")).sum(), "the signal used up the count");
            acquired.lease().release();
        }
    }

    @Test
    void extend_fails_whenQuorumLost() {
        var nodes = nodes(5);
        var lease = assertInstanceOf(Acquired.class, lockOn(nodes).acquire(List.of("g1"))).lease();
        for (int i = 0; i < 3; i++) {
            nodes.get(i).put("lock:g1", "someone-else", TTL);
        }
        assertFalse(lease.extend(TTL));
        assertFalse(lease.release(), "release must be refused where another client took over");
        assertEquals("someone-else", nodes.get(0).get("lock:g1"));
    }

    @Test
    void extend_movesValidity_whenQuorumHolds() {
        var nodes = nodes(5);
        nodes.get(0).mode(FakeLockNode.Mode.DOWN);
        nodes.get(1).mode(FakeLockNode.Mode.DOWN);
        var lock = lockOn(nodes);
        var lease = assertInstanceOf(Acquired.class, lock.acquire(List.of("g1"), Duration.ofMillis(500), Duration.ZERO))
                .lease();
        Instant before = lease.validUntil();
        assertTrue(lease.extend(Duration.ofSeconds(30)));
        assertTrue(lease.validUntil().isAfter(before.plusSeconds(20)));
        assertEquals(1, lock.metrics().snapshot().extended());
    }

    @Test
    void metrics_countOutcomesAndLatency() {
        var nodes = nodes(3);
        var lock = lockOn(nodes);
        var lease = assertInstanceOf(Acquired.class, lock.acquire(List.of("g1"))).lease();
        assertInstanceOf(NotAcquired.class, lockOn(nodes).acquire(List.of("g1")));
        nodes.forEach(n -> n.mode(FakeLockNode.Mode.DOWN));
        assertInstanceOf(NotAcquired.class, lock.acquire(List.of("g2")));
        assertFalse(lease.release());
        var s = lock.metrics().snapshot();
        assertEquals(1, s.acquired());
        assertEquals(1, s.quorumUnreachable());
        assertEquals(1, s.quorumFailures());
        assertEquals(1, s.releaseRefused());
        assertEquals(2, s.latencyCount());
        assertEquals(2, s.latencyBuckets().stream().mapToLong(Long::longValue).sum());
        assertTrue(s.nodeErrors() >= 6, "3 failed SETs, 3 failed releases and more: " + s.nodeErrors());
        assertTrue(s.latencyMaxNanos() > 0 && s.latencyTotalNanos() >= s.latencyMaxNanos());
    }

    @Test
    void metricsBucket_boundsAreExclusiveMillis() {
        assertEquals(0, RedLockMetrics.bucketOf(999_000L));
        assertEquals(1, RedLockMetrics.bucketOf(Duration.ofMillis(1).toNanos()));
        assertEquals(RedLockMetrics.BUCKET_BOUNDS_MILLIS.size(), RedLockMetrics.bucketOf(Duration.ofMinutes(1).toNanos()));
    }
}
