package shop.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.lock.LockResult.Acquired;
import shop.lock.LockResult.NotAcquired;
import shop.lock.LockResult.Reason;

/**
 * SlotGate admits callers to resources: straight through while a resource is quiet (one round trip
 * to its home node), through one of its slots while it is hot. Each slot is a {@link RedLock} lease
 * on {@code <resource>#<slot>}, so at most {@code slots} callers hold a hot resource at once, a bound
 * that lives on a majority of nodes. The bookkeeping lives on one node per resource, its home
 * ({@link GateNode}): the arrival count and hot mark, the slots out, leases parked between holders and
 * the queue of waiters. A released lease is handed to the oldest waiter, or parked for the next
 * arrival, without a round over the majority; the RedLock is asked only to take a slot that no lease
 * holds yet, and to extend a lease that has circulated for half its ttl. The package documentation
 * has the whole protocol and what it promises. Build one per execution environment, over the
 * RedLock's nodes, and share it between threads.
 */
public final class SlotGate {

    private static final Logger LOG = LoggerFactory.getLogger(SlotGate.class);
    /** A node whose call failed is not a home for this long; then it is tried again. */
    private static final long SILENT_NANOS = Duration.ofSeconds(1).toNanos();
    /** How many slow answers in a row make a home node count as down. */
    private static final int SLOW_CALLS_BEFORE_SILENT = 3;
    /**
     * How long the arrivals that went on without a slot just before a resource turned hot are counted
     * against its slots: long enough for a reservation that is not waiting behind many others.
     */
    private static final long OPEN_HOLD_MILLIS = 100;

    /**
     * Config is how the gate decides and waits.
     *
     * @param slots    slots per resource: how many callers may hold a hot resource at once (1 to 256)
     * @param hotAfter a resource is hot once more than this many arrivals fall in one window, or while
     *                 a queue stands; 0 makes every resource hot, so every caller takes a slot
     * @param window   the arrival-counting window (it starts at its first arrival)
     * @param hotFor   how long a hot mark lasts after it was last renewed
     * @param poll     longest single wait for a grant before the waiter asks its home node to serve
     *                 capacity that came free without a hand-off (a lease that ran out)
     */
    public record Config(int slots, int hotAfter, Duration window, Duration hotFor, Duration poll) {

        /** Config rejects values the gate cannot work with, naming the field. */
        public Config {
            if (slots < 1 || slots > 256) {
                throw new IllegalArgumentException("slots must be 1 to 256, was " + slots);
            }
            if (hotAfter < 0) {
                throw new IllegalArgumentException("hotAfter must be >= 0, was " + hotAfter);
            }
            for (var d : List.of(window, hotFor, poll)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("window, hotFor and poll must be > 0, was " + d);
                }
            }
        }

        /**
         * of is a gate with the given slots and hot threshold, a 100 ms window (a ramp slower than a burst
         * still turns a goods hot before many reservations have gone on without a slot), marks that last
         * 500 ms after their last renewal (a flash sale renews its mark with every arrival) and 1 s polls
         * (a poll only finds slots whose holder vanished, which take a lease's ttl to come free anyway).
         */
        public static Config of(int slots, int hotAfter) {
            return new Config(slots, hotAfter, Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1));
        }
    }

    /** Admission is the outcome of {@link #enter}. */
    public sealed interface Admission permits Open, Admitted, Refused {
    }

    /** Open: every resource was quiet; nothing is held. */
    public record Open() implements Admission {
    }

    /** Admitted: the caller holds a slot of each hot resource; close the pass when done. */
    public record Admitted(Pass pass) implements Admission {
    }

    /**
     * Refused: no slot within maxWait (CONTENDED); no majority to take one, or no home node answering
     * until maxWait ran out (QUORUM_UNREACHABLE); or interrupted.
     */
    public record Refused(Reason reason, Duration waited) implements Admission {
    }

    /**
     * Held is one slot's lease held for a resource, with the home node it goes back to; fresh when
     * this caller acquired it (its end is then ours to tell the home node).
     */
    private record Held(String resource, int home, int slot, Lease lease, boolean fresh) {
    }

    /** Pass holds the slots of an admission; closing it hands each lease on. Close it once. */
    public final class Pass implements AutoCloseable {
        private final List<Held> held;
        private boolean closed;

        private Pass(List<Held> held) {
            this.held = held;
        }

        /** resources are the hot resources this pass holds a slot of, sorted. */
        public List<String> resources() {
            return held.stream().map(Held::resource).toList();
        }

        /** leases are the slot leases held, in the order of {@link #resources()}. */
        public List<Lease> leases() {
            return held.stream().map(Held::lease).toList();
        }

        /** close hands every lease to the next waiter or parks it, each call within its node's bounds; idempotent. */
        @Override
        public void close() {
            close(Duration.ofDays(1));
        }

        /**
         * close hands every lease on within {@code within} (each node call still gets one per-command
         * timeout); a lease whose turn comes after that is not handed on but left to run out, and its
         * slot with it. Idempotent.
         */
        public void close(Duration within) {
            if (closed) {
                return;
            }
            closed = true;
            long deadline = deadlineIn(within);
            for (Held h : held) {
                if (System.nanoTime() - deadline >= 0) {
                    metrics.dropped();
                } else {
                    handOn(h, deadline);
                }
            }
        }
    }

    private final RedLock lock;
    private final List<GateNode> nodes;
    private final Config config;
    private final GateNode.Settings settings;
    private final String keyPrefix;
    private final long ttlNanos;
    private final long marginNanos;
    private final SlotGateMetrics metrics = new SlotGateMetrics();
    private final AtomicLongArray silentUntil;
    private final long hotForNanos;
    /**
     * seenHot remembers, per resource, until when this caller treats it as hot without asking whether
     * it is quiet: a hot resource's arrivals then make two calls (enter, hand-off), not three.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> seenHot = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * SlotGate over the same nodes as lock, in the same order; the lock's ttl is each slot lease's,
     * its per-node timeout the margin by which a handed-on lease's validity is shortened.
     */
    public SlotGate(RedLock lock, List<? extends GateNode> nodes, Config config) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.nodes = List.copyOf(nodes);
        if (this.nodes.size() != lock.nodeCount()) {
            throw new IllegalArgumentException("the gate needs the lock's " + lock.nodeCount() + " nodes, got "
                    + this.nodes.size());
        }
        this.config = Objects.requireNonNull(config, "config");
        RedLockConfig lc = lock.config();
        this.keyPrefix = lc.keyPrefix();
        this.ttlNanos = lc.ttl().toNanos();
        this.marginNanos = lc.perNodeTimeout().toNanos();
        long ttlMillis = lc.ttl().toMillis();
        long grace = RedLock.driftNanos(ttlNanos) / 1_000_000 + lc.perNodeTimeout().toMillis();
        this.settings = new GateNode.Settings(config.hotAfter(), config.window().toMillis(), config.hotFor().toMillis(),
                config.slots(), ttlMillis / 4, ttlMillis + grace, grace, ttlMillis / 2, ttlMillis, OPEN_HOLD_MILLIS);
        this.silentUntil = new AtomicLongArray(this.nodes.size());
        this.hotForNanos = config.hotFor().toNanos();
    }

    /** metrics are the counters of this gate since it was built. */
    public SlotGateMetrics metrics() {
        return metrics;
    }

    /** homeOf is the index of the node that keeps resource's queue and slots while every node answers. */
    public int homeOf(String resource) {
        return homeOf(resource, nodes.size());
    }

    /** homeOf is the index, among nodeCount nodes, of resource's home node while every node answers. */
    public static int homeOf(String resource, int nodeCount) {
        return Math.floorMod(resource.hashCode(), nodeCount);
    }

    /**
     * enter admits the caller to all resources: Open when none is hot, else Admitted with a slot of
     * every hot one, taken in sorted order (so two callers never wait for each other's slots), or
     * Refused when a slot did not come within maxWait or could not be taken for want of a majority.
     */
    public Admission enter(Collection<String> resources, Duration maxWait) {
        List<String> names = sortedNames(resources);
        long start = System.nanoTime();
        long deadline = deadlineIn(Objects.requireNonNull(maxWait, "maxWait"));
        List<Held> held = new ArrayList<>();
        try {
            List<String> hot = hotOf(names, deadline);
            if (hot == null) {
                return refused(Reason.QUORUM_UNREACHABLE, start, held);
            }
            for (String resource : hot) {
                Object step = slot(resource, deadline);
                if (step instanceof Held h) {
                    held.add(h);
                } else if (step instanceof Reason reason) {
                    return refused(reason, start, held);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return refused(Reason.INTERRUPTED, start, held);
        }
        if (held.isEmpty()) {
            metrics.open();
            return new Open();
        }
        return new Admitted(new Pass(List.copyOf(held)));
    }

    private Refused refused(Reason reason, long start, List<Held> held) {
        // The wait is over, not the request: what is held goes on at one per-command timeout per call.
        held.forEach(h -> handOn(h, System.nanoTime()));
        if (reason == Reason.QUORUM_UNREACHABLE) {
            metrics.quorumLost();
        } else {
            metrics.gaveUp();
        }
        return new Refused(reason, Duration.ofNanos(System.nanoTime() - start));
    }

    /** deadlineIn is the nanoTime within from now, capped at a day so that arithmetic cannot overflow. */
    private static long deadlineIn(Duration within) {
        long max = Duration.ofDays(1).toNanos();
        return System.nanoTime() + (within.compareTo(Duration.ofDays(1)) > 0 ? max : Math.max(0, within.toNanos()));
    }

    private static boolean passed(long deadline) {
        return System.nanoTime() - deadline >= 0;
    }

    /**
     * hotOf is the resources that need a slot, sorted: those this caller saw hot lately, and those
     * their home node does not find quiet (one call per home node); null when no node answers, or
     * none has answered for some of them by the deadline.
     */
    private List<String> hotOf(List<String> names, long deadline) {
        List<String> hot = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        long now = System.nanoTime();
        for (String name : names) {
            Long until = seenHot.get(name);
            if (until != null && until - now > 0) {
                hot.add(name);
            } else {
                if (until != null) {
                    seenHot.remove(name, until);
                }
                pending.add(name);
            }
        }
        for (int tries = 0; !pending.isEmpty(); tries++) {
            if (tries > nodes.size() + SLOW_CALLS_BEFORE_SILENT || (tries > 0 && passed(deadline))) {
                return null;
            }
            Map<Integer, List<String>> byHome = new LinkedHashMap<>();
            for (String name : pending) {
                byHome.computeIfAbsent(home(name), k -> new ArrayList<>()).add(name);
            }
            List<String> failed = new ArrayList<>();
            for (var e : byHome.entrySet()) {
                if (!failed.isEmpty() && passed(deadline)) {
                    return null; // out of time with a home node that did not answer: no need to ask the rest
                }
                List<String> keys = e.getValue().stream().map(n -> keyPrefix + n).toList();
                try {
                    List<Boolean> quiet = nodes.get(e.getKey()).quiet(keys, settings, deadline);
                    answered(e.getKey());
                    for (int i = 0; i < quiet.size(); i++) {
                        if (!quiet.get(i)) {
                            hot.add(e.getValue().get(i));
                        }
                    }
                } catch (LockNodeException ex) {
                    if (ex.slow() && tries + 1 < SLOW_CALLS_BEFORE_SILENT) {
                        metrics.nodeError();
                    } else {
                        failedAt(e.getKey(), ex);
                    }
                    failed.addAll(e.getValue());
                }
            }
            pending = failed;
        }
        hot.sort(null);
        return hot;
    }

    /**
     * slot takes a slot of one resource: returns null when the resource is quiet, a Held, or the
     * Reason it could not: QUORUM_UNREACHABLE when the time ran out on a home node that did not answer,
     * CONTENDED when it ran out waiting for the slots' holders.
     */
    private Object slot(String resource, long deadline) throws InterruptedException {
        String key = keyPrefix + resource;
        int errors = 0;
        int failures = 0;
        while (true) {
            int h = home(resource);
            GateNode node = nodes.get(h);
            String inbox = lock.newValue();
            long sent = System.nanoTime();
            GateNode.Reply reply;
            try {
                reply = node.enter(key, inbox, Math.max(0, (deadline - sent) / 1_000_000), settings, deadline);
                answered(h);
                errors = 0;
            } catch (LockNodeException e) {
                // A slow node keeps the resource: moving its queue to another node costs far more than
                // waiting. (Had the call run, what it granted runs out by itself.) A node that refuses,
                // or stays slow, is passed over for a while.
                if (e.slow() && ++errors < SLOW_CALLS_BEFORE_SILENT) {
                    metrics.nodeError();
                } else {
                    failedAt(h, e);
                    errors = 0;
                }
                if (++failures > 2 * nodes.size() + SLOW_CALLS_BEFORE_SILENT || passed(deadline)) {
                    // The lock service failed this caller, not the resource's holders: the quorum-loss policy applies.
                    return Reason.QUORUM_UNREACHABLE;
                }
                continue;
            }
            if (reply instanceof GateNode.Open) {
                seenHot.remove(resource);
            } else {
                seenHot.put(resource, System.nanoTime() + hotForNanos);
            }
            Object step = switch (reply) {
                case GateNode.Open o -> null;
                case GateNode.Lease l -> {
                    metrics.fromPool();
                    yield adopt(resource, h, l, sent);
                }
                case GateNode.Acquire a -> take(resource, h, a.slot(), deadline);
                case GateNode.Queued q -> {
                    metrics.queued();
                    yield await(resource, h, inbox, q, sent, deadline);
                }
            };
            if (!(step instanceof Retry retry)) {
                return step;
            }
            if (passed(deadline)) {
                return retry == Retry.NODE_LOST ? Reason.QUORUM_UNREACHABLE : Reason.CONTENDED;
            }
        }
    }

    /**
     * Retry tells {@link #slot} to enter again: AGAIN when the slot it was given turned out to be held,
     * NODE_LOST when its home node stopped answering while it waited there.
     */
    private enum Retry { AGAIN, NODE_LOST }

    /**
     * await waits in the queue for a grant until deadline, asking the home node to serve at each poll,
     * and sooner when the node said that a slot nobody holds comes free earlier: nobody would hand
     * that one on, and without the wake-up the queue would stand idle until a poll.
     */
    private Object await(String resource, int h, String inbox, GateNode.Queued queued, long sent, long deadline)
            throws InterruptedException {
        String key = keyPrefix + resource;
        GateNode node = nodes.get(h);
        String entry = queued.entry();
        // Only the first waiters, whom a slot coming free can serve, are told when; the rest are served
        // by those waiters' hand-offs. A wake-up counts from the reply, which came after the node read its
        // clock, and one millisecond more (both clocks count whole ones): never before the slot is free.
        boolean woken = queued.wakeMillis() >= 0;
        long wakeMillis = queued.wakeMillis();
        long wakeFrom = System.nanoTime();
        int slowCalls = 0;
        while (true) {
            long now = System.nanoTime();
            long left = deadline - now;
            java.util.Optional<GateNode.Reply> grant;
            try {
                if (left <= 0) {
                    grant = node.leave(key, inbox, entry, deadline);
                    if (grant.isEmpty()) {
                        return Reason.CONTENDED;
                    }
                } else {
                    long wait = Math.min(left, config.poll().toNanos());
                    if (woken && wakeMillis >= 0) {
                        wait = Math.min(wait, Math.max(0, wakeFrom + Duration.ofMillis(wakeMillis + 1).toNanos() - now));
                    }
                    grant = node.await(key, inbox, Duration.ofNanos(wait));
                    if (grant.isEmpty()) {
                        wakeMillis = node.serve(key, settings, deadline);
                        wakeFrom = System.nanoTime();
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                        continue;
                    }
                }
            } catch (LockNodeException e) {
                if (e.slow() && ++slowCalls < SLOW_CALLS_BEFORE_SILENT) {
                    metrics.nodeError();
                    continue; // still queued there: wait on
                }
                // The queue is gone with its node: enter again at the next home.
                failedAt(h, e);
                return Retry.NODE_LOST;
            }
            return switch (grant.get()) {
                case GateNode.Lease l -> {
                    metrics.handedOver();
                    yield adopt(resource, h, l, sent);
                }
                case GateNode.Acquire a -> take(resource, h, a.slot(), deadline);
                default -> throw new IllegalStateException("unexpected grant " + grant.get());
            };
        }
    }

    /** take acquires slot's lease with one RedLock attempt. */
    private Object take(String resource, int h, int slot, long deadline) {
        String key = keyPrefix + resource;
        LockResult result = lock.acquire(List.of(resource + "#" + slot), Duration.ofNanos(ttlNanos), Duration.ZERO);
        return switch (result) {
            case Acquired a -> {
                metrics.acquired();
                yield new Held(resource, h, slot, a.lease(), true);
            }
            case NotAcquired n when n.reason() == Reason.CONTENDED -> {
                // A lease this home node does not know holds the slot (it lost its state, or another
                // node was home for a while): keep the slot out of use until that lease must have ended.
                metrics.blocked();
                try {
                    nodes.get(h).block(key, slot, settings.acquireMillis(), deadline);
                } catch (LockNodeException e) {
                    failedAt(h, e);
                }
                yield Retry.AGAIN;
            }
            case NotAcquired n -> {
                dropQuietly(key, h, slot, deadline);
                yield n.reason();
            }
        };
    }

    /**
     * adopt turns a granted lease into ours. Its validity is counted from when this caller entered,
     * which is before the grant was made: never later than the lease's true end, by this clock.
     */
    private Held adopt(String resource, int h, GateNode.Lease l, long entered) {
        long remaining = Duration.ofMillis(l.remainingMillis()).toNanos();
        long validUntil = entered + remaining - RedLock.driftNanos(remaining);
        return new Held(resource, h, l.slot(), lock.adopt(resource + "#" + l.slot(), l.value(), validUntil), false);
    }

    /**
     * handOn gives a held lease to the next waiter or parks it. The home node keeps the lease's end;
     * when it says that less than half the ttl is left, the lease is extended on a majority first (by
     * its value, which is safe whatever this caller's own, more cautious, count of its validity says)
     * and handed on fresh. One that cannot be extended is released and its slot given up. One the home
     * node says is no longer ours (another lease, or none, under its key there) is handed nowhere.
     */
    private void handOn(Held held, long deadline) {
        String key = keyPrefix + held.resource();
        Lease lease = held.lease();
        GateNode node = nodes.get(held.home());
        boolean fresh = held.fresh();
        try {
            for (int round = 0; ; round++) {
                // Our own count is exact for a lease we acquired or extended: extend it here if it must be.
                boolean extendNow = fresh && lease.remaining().toNanos() < ttlNanos / 2;
                if (extendNow && !lock.extend(lease, Duration.ofNanos(ttlNanos))) {
                    release(held, deadline);
                    return;
                } else if (extendNow) {
                    metrics.extended();
                }
                long remainingMillis = (lease.remaining().toNanos() - marginNanos) / 1_000_000;
                GateNode.HandOff outcome = node.handOff(key, held.slot(), lease.value(), Math.max(0, remainingMillis),
                        fresh, settings, deadline);
                answered(held.home());
                if (outcome == GateNode.HandOff.LOST) {
                    lost(held, deadline);
                    return;
                }
                if (outcome != GateNode.HandOff.EXTEND_FIRST || round > 0) {
                    metrics.released(outcome == GateNode.HandOff.PASSED);
                    return;
                }
                if (!lock.extend(lease, Duration.ofNanos(ttlNanos))) {
                    release(held, deadline);
                    return;
                }
                metrics.extended();
                fresh = true;
            }
        } catch (LockNodeException e) {
            // The hand-off may have run and the lease be someone else's now (it keeps its value), so
            // it is not released: its keys and its slot's entry run out by themselves.
            if (!e.slow()) {
                failedAt(held.home(), e);
            } else {
                metrics.nodeError();
            }
            metrics.dropped();
        }
    }

    /**
     * lost is a lease the home node no longer holds: it ran out while we held it (a pause past its
     * validity) and its slot may have been taken again, so it goes to nobody. Should it still be ours on a
     * majority (the home node missed it or forgot it), it is released there and its slot given up.
     */
    private void lost(Held held, long deadline) {
        metrics.lost();
        LOG.info("slot lease {} was no longer ours at hand-off", held.lease().resources());
        if (held.lease().release()) {
            dropQuietly(keyPrefix + held.resource(), held.home(), held.slot(), deadline);
        }
    }

    private void release(Held held, long deadline) {
        metrics.dropped();
        boolean valid = held.lease().isValid();
        if (held.lease().release()) {
            dropQuietly(keyPrefix + held.resource(), held.home(), held.slot(), deadline);
        } else if (!valid) {
            // It ran out while we held it (a pause past its validity), and may be someone else's now:
            // harmless for what it guards, worth knowing about. Its slot's entry on the home node runs
            // out by itself.
            metrics.lost();
            LOG.info("slot lease {} was no longer ours at release", held.lease().resources());
        } else {
            // Still valid by our clock but no majority confirmed the delete (slow or failed nodes): its
            // keys expire by themselves, and so does its slot's entry.
            LOG.debug("slot lease {} could not be released on a majority", held.lease().resources());
        }
    }

    private void dropQuietly(String key, int h, int slot, long deadline) {
        try {
            nodes.get(h).drop(key, slot, settings, deadline);
            answered(h);
        } catch (LockNodeException e) {
            failedAt(h, e);
        }
    }

    /** home is resource's home node, or the next one round while it is marked silent. */
    private int home(String resource) {
        int n = nodes.size();
        int first = homeOf(resource);
        long now = System.nanoTime();
        for (int k = 0; k < n; k++) {
            int i = (first + k) % n;
            if (silentUntil.get(i) - now <= 0) {
                return i;
            }
        }
        return first;
    }

    private void answered(int i) {
        if (silentUntil.get(i) != 0) {
            silentUntil.set(i, 0);
        }
    }

    private void failedAt(int i, LockNodeException e) {
        metrics.nodeError();
        silentUntil.set(i, System.nanoTime() + SILENT_NANOS);
        LOG.debug("gate node {} did not answer: {}", nodes.get(i).name(), e.getMessage());
    }

    private static List<String> sortedNames(Collection<String> resources) {
        Objects.requireNonNull(resources, "resources");
        var sorted = new TreeSet<String>();
        for (String r : resources) {
            if (r == null || r.isBlank() || r.indexOf('|') >= 0) {
                throw new IllegalArgumentException("resource names must not be null, blank or hold '|': " + resources);
            }
            sorted.add(r);
        }
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("enter needs at least one resource");
        }
        return List.copyOf(sorted);
    }
}
