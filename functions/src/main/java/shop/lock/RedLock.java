package shop.lock;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.lock.LockResult.Acquired;
import shop.lock.LockResult.NotAcquired;
import shop.lock.LockResult.Reason;
import shop.platform.snapstart.SnapshotSafeRandom;

/**
 * RedLock is the Redlock algorithm over N independent {@link LockNode}s: a lease needs the keys on
 * a majority, set in parallel within a per-node timeout, with validity left after the round trip
 * and clock drift. Waiting, multi-key locking and the safety argument are described in the package
 * documentation. Build one per execution environment and share it between threads.
 */
public final class RedLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedLock.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int VALUE_BYTES = 16;
    private static final int MAX_SPLIT_RETRIES = 3;

    private final List<LockNode> nodes;
    private final RedLockConfig config;
    private final int quorum;
    private final RedLockMetrics metrics = new RedLockMetrics();
    /** 1 for a node whose last reply failed, so that waiters register on another one. */
    private final AtomicIntegerArray silent;
    /**
     * valuePrefix is random per lock instance and per SnapStart restore; with a counter it makes every
     * acquisition's value unique. Drawn on first use, not in the constructor, and drawn again by
     * {@link #renewValuePrefix()}: a prefix drawn during init would be shared by every environment
     * restored from the snapshot, and one could then release or extend another's lease.
     */
    private volatile String valuePrefix;
    private final AtomicLong acquisitions = new AtomicLong();
    // Virtual threads: one cheap thread per node call, blocked in socket I/O without holding a carrier.
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** RedLock locks on the given nodes (one for development, five in the local stack). */
    public RedLock(List<LockNode> nodes, RedLockConfig config) {
        Objects.requireNonNull(nodes, "nodes");
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("RedLock needs at least one lock node");
        }
        this.nodes = List.copyOf(nodes);
        this.config = Objects.requireNonNull(config, "config");
        this.quorum = quorum(this.nodes.size());
        this.silent = new AtomicIntegerArray(this.nodes.size());
    }

    /**
     * renewValuePrefix makes the next acquisitions draw a new random prefix. Call it after a SnapStart
     * restore (AWS: SecureRandom draws after a restore differ between environments; a value drawn
     * before the snapshot does not). Leases taken before keep their values and still release.
     */
    public void renewValuePrefix() {
        valuePrefix = null;
    }

    /** acquire locks resources with the configured ttl and maxWait. */
    public LockResult acquire(Collection<String> resources) {
        return acquire(resources, config.ttl(), config.maxWait());
    }

    /**
     * acquire locks all resources together (all or none), retrying until maxWait has passed. A
     * maxWait of zero makes exactly one attempt. Returns NotAcquired at once if fewer than a majority
     * of nodes answer.
     */
    public LockResult acquire(Collection<String> resources, Duration ttl, Duration maxWait) {
        RedLockConfig.requireTtlAbove(ttl, config.perNodeTimeout());
        if (Objects.requireNonNull(maxWait, "maxWait").isNegative()) {
            throw new IllegalArgumentException("maxWait must be >= 0, was " + maxWait);
        }
        List<String> names = sortedNames(resources);
        List<String> keys = names.stream().map(name -> config.keyPrefix() + name).toList();
        long start = System.nanoTime();
        LockResult result;
        try {
            result = acquireUntil(names, keys, ttl, start, start + maxWait.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new NotAcquired(Reason.INTERRUPTED, 0, Duration.ofNanos(System.nanoTime() - start));
        }
        metrics.acquireFinished(result, System.nanoTime() - start);
        return result;
    }

    /** metrics are the counters of this lock since it was built. */
    public RedLockMetrics metrics() {
        return metrics;
    }

    /** quorum is the number of nodes that make a majority here. */
    public int quorum() {
        return quorum;
    }

    /** close stops the executor; the nodes belong to the caller and stay open. */
    @Override
    public void close() {
        executor.close();
    }

    /** quorum of n nodes is a strict majority, n/2+1. */
    static int quorum(int n) {
        return n / 2 + 1;
    }

    /** driftNanos is the clock drift allowance for a ttl: 1 % of it plus 2 ms. */
    static long driftNanos(long ttlNanos) {
        return ttlNanos / 100 + 2_000_000L;
    }

    /** validityNanos is what is left of ttl after the time spent acquiring and the drift allowance. */
    static long validityNanos(long ttlNanos, long elapsedNanos) {
        return ttlNanos - elapsedNanos - driftNanos(ttlNanos);
    }

    private LockResult acquireUntil(List<String> names, List<String> keys, Duration ttl, long start, long deadline)
            throws InterruptedException {
        int splitStreak = 0;
        for (int attempt = 1; ; attempt++) {
            metrics.attempt(attempt > 1);
            String value = newValue();
            // The node this attempt would wait on: a refusal there counts us as a waiter in the same call.
            // A single attempt (no maxWait) never waits, so it registers nowhere.
            int waitNode = deadline - start > 0 ? waitNode(keys) : -1;
            long sent = System.nanoTime();
            Round<Boolean> round;
            try {
                round = onNodes(i -> new NodeOp<>(node -> node.setAllIfAbsent(keys, value, ttl, i == waitNode),
                        node -> node.sendSetAllIfAbsent(keys, value, ttl, i == waitNode)), null);
            } catch (InterruptedException e) {
                releaseQuietly(keys, value, true, null);
                throw e;
            }
            List<Reply<Boolean>> replies = round.replies();
            long now = System.nanoTime();
            int won = 0;
            int held = 0;
            int answered = 0;
            // Ours may be set where we won and where no answer came; a node that refused never set it.
            boolean[] mayHoldOurs = new boolean[replies.size()];
            for (int i = 0; i < replies.size(); i++) {
                Reply<Boolean> reply = replies.get(i);
                silent.set(i, reply.ok() ? 0 : 1);
                if (reply.ok()) {
                    answered++;
                    won += reply.value() ? 1 : 0;
                    held += reply.value() ? 0 : 1;
                }
                mayHoldOurs[i] = !reply.ok() || reply.value();
            }
            long validity = validityNanos(ttl.toNanos(), now - sent);
            if (won >= quorum && validity > 0) {
                var lease = new Lease(this, names, keys, value, now + validity, Instant.now().plusNanos(validity));
                return new Acquired(lease);
            }
            boolean unreachable = answered < quorum;
            boolean timedOut = now - deadline >= 0;
            // Release on every node that may hold ours, also those that seemed to fail: a timed-out SET
            // may have landed, and one that answers later is released when it does. Wake a waiter only
            // when giving up: a woken waiter that won some nodes must not hand its turn to the next one.
            releaseQuietly(keys, value, unreachable || timedOut, mayHoldOurs);
            releaseWhenLate(round, keys, value);
            if (unreachable) {
                metrics.quorumFailure();
                LOG.debug("lock {}: only {} of {} nodes answered", keys, answered, nodes.size());
                return new NotAcquired(Reason.QUORUM_UNREACHABLE, attempt, Duration.ofNanos(now - start));
            }
            if (timedOut) {
                return new NotAcquired(Reason.CONTENDED, attempt, Duration.ofNanos(now - start));
            }
            splitStreak = won > 0 ? splitStreak + 1 : 0;
            if (won > 0) {
                metrics.splitVote();
            }
            Reply<Boolean> atWaitNode = replies.get(waitNode);
            if (won > 0 && (held < quorum || splitStreak <= MAX_SPLIT_RETRIES)) {
                // A split vote, or a release still in flight on some nodes: nobody may hold the lock,
                // so nobody will signal. Back off briefly at random and try again. Should a majority
                // stay held (keys left by a late SET), stop and wait like everyone else.
                pause(SnapshotSafeRandom.current().nextLong(1, config.retryJitter().toNanos() + 1), deadline);
            } else if (atWaitNode.ok() && !atWaitNode.value()) {
                // Refused on the wait node, so counted as its waiter there: the holder's release signals us.
                awaitRelease(nodes.get(waitNode), keys, deadline);
            } else if (!atWaitNode.ok()) {
                // The wait node did not answer (now marked silent): the next attempt waits on another.
                pause(SnapshotSafeRandom.current().nextLong(1, config.retryJitter().toNanos() + 1), deadline);
            } else {
                // We hold the wait node ourselves (a late SET of ours): nobody signals us there, so poll.
                pause(SnapshotSafeRandom.current().nextLong(config.pollMin().toNanos(), config.pollMax().toNanos() + 1),
                        deadline);
            }
        }
    }

    /**
     * waitNode is where waiters for keys register and block: a node picked by the first key, so that
     * the waiters of one key meet on one node, and the next one round when that node did not answer
     * last time.
     */
    private int waitNode(List<String> keys) {
        int n = nodes.size();
        int first = Math.floorMod(keys.getFirst().hashCode(), n);
        for (int k = 0; k < n; k++) {
            int i = (first + k) % n;
            if (silent.get(i) == 0) {
                return i;
            }
        }
        return first;
    }

    private void awaitRelease(LockNode node, List<String> keys, long deadline) throws InterruptedException {
        long poll = SnapshotSafeRandom.current().nextLong(config.pollMin().toNanos(), config.pollMax().toNanos() + 1);
        long timeout = Math.min(poll, deadline - System.nanoTime());
        if (timeout <= 0) {
            return;
        }
        try {
            metrics.waitEnded(node.awaitRelease(keys, Duration.ofNanos(timeout)));
        } catch (LockNodeException e) {
            metrics.nodeErrors(1);
            LOG.debug("waiting for release failed, polling instead", e);
            pause(SnapshotSafeRandom.current().nextLong(1, config.retryJitter().toNanos() + 1), deadline);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    boolean release(Lease lease) {
        List<Reply<Integer>> replies = onNodesUninterruptibly(deleteAll(lease.keys(), lease.value(), true), null).replies();
        int size = lease.keys().size();
        boolean ok = replies.stream().filter(r -> r.ok() && r.value() == size).count() >= quorum;
        metrics.releaseEnded(ok);
        return ok;
    }

    boolean extend(Lease lease, Duration ttl) {
        RedLockConfig.requireTtlAbove(ttl, config.perNodeTimeout());
        long sent = System.nanoTime();
        List<Reply<Boolean>> replies = onNodesUninterruptibly(new NodeOp<>(
                node -> node.expireAllIfValue(lease.keys(), lease.value(), ttl),
                node -> node.sendExpireAllIfValue(lease.keys(), lease.value(), ttl)), null).replies();
        long now = System.nanoTime();
        long extended = replies.stream().filter(r -> r.ok() && r.value()).count();
        long validity = validityNanos(ttl.toNanos(), now - sent);
        boolean ok = extended >= quorum && validity > 0;
        if (ok) {
            lease.validUntil(now + validity, Instant.now().plusNanos(validity));
        }
        metrics.extendEnded(ok);
        return ok;
    }

    /** releaseQuietly deletes keys holding value on the chosen nodes (all when which is null). */
    private void releaseQuietly(List<String> keys, String value, boolean wake, boolean[] which) {
        if (which != null && !anyOf(which)) {
            return;
        }
        onNodesUninterruptibly(deleteAll(keys, value, wake), which);
    }

    private static boolean anyOf(boolean[] which) {
        for (boolean b : which) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    private static NodeOp<Integer> deleteAll(List<String> keys, String value, boolean wake) {
        return new NodeOp<>(node -> node.deleteAllIfValue(keys, value, wake),
                node -> node.sendDeleteAllIfValue(keys, value, wake));
    }

    /** Runs op on the chosen nodes; an interrupt is deferred until the round is over, so cleanup always runs. */
    private <T> Round<T> onNodesUninterruptibly(NodeOp<T> op, boolean[] which) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return onNodes(i -> op, which);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs node i's op on the chosen nodes (all when which is null) and waits at most the per-node
     * timeout. A {@link PipelinedLockNode} gets the call written from this thread before any reply is
     * read; other nodes run it on a virtual thread each. A node that fails or is late counts as no
     * answer; a late call is not cut off but left to finish (a pipelined one is read on in the
     * background), and its future is returned so the caller can clean up after it. A node not chosen
     * has no reply and a null future.
     */
    private <T> Round<T> onNodes(IntFunction<NodeOp<T>> opFor, boolean[] which) throws InterruptedException {
        long deadline = System.nanoTime() + config.perNodeTimeout().toNanos();
        int n = nodes.size();
        List<CompletableFuture<T>> futures = new ArrayList<>(n);
        List<PipelinedLockNode.Pending<T>> pending = new ArrayList<>(n);
        List<CompletableFuture<T>> threaded = new ArrayList<>();
        for (int index = 0; index < n; index++) {
            LockNode node = nodes.get(index);
            PipelinedLockNode.Pending<T> sent = null;
            CompletableFuture<T> future = null;
            if (which != null && !which[index]) {
                pending.add(null);
                futures.add(null);
                continue;
            }
            NodeOp<T> op = opFor.apply(index);
            if (node instanceof PipelinedLockNode p) {
                try {
                    sent = op.send().apply(p);
                } catch (LockNodeException e) {
                    future = CompletableFuture.failedFuture(e);
                }
            } else {
                future = CompletableFuture.supplyAsync(() -> op.call().apply(node), executor);
                threaded.add(future);
            }
            pending.add(sent);
            futures.add(future);
        }
        for (int i = 0; i < n; i++) {
            PipelinedLockNode.Pending<T> sent = pending.get(i);
            if (sent != null) {
                try {
                    futures.set(i, CompletableFuture.completedFuture(sent.await(deadline)));
                } catch (LockNodeException e) {
                    futures.set(i, sent.late()); // failed, or completes when a late reply arrives
                }
            }
        }
        if (!threaded.isEmpty()) {
            try {
                CompletableFuture.allOf(threaded.toArray(CompletableFuture[]::new))
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Some node failed or is late; each future is inspected below.
            }
        }
        List<Reply<T>> replies = new ArrayList<>(n);
        int errors = 0;
        for (int i = 0; i < n; i++) {
            CompletableFuture<T> future = futures.get(i);
            if (future == null) {
                replies.add(new Reply<>(null)); // not asked
            } else if (future.state() == Future.State.SUCCESS) {
                replies.add(new Reply<>(future.resultNow()));
            } else {
                errors++;
                replies.add(new Reply<>(null));
                if (LOG.isDebugEnabled()) {
                    Object why = future.state() == Future.State.FAILED ? future.exceptionNow() : "timed out";
                    LOG.debug("lock node {} did not answer: {}", nodes.get(i).name(), why);
                }
            }
        }
        if (errors > 0) {
            metrics.nodeErrors(errors);
        }
        return new Round<>(replies, futures);
    }

    /** Deletes this attempt's keys on nodes whose SET answers only after the attempt gave up. */
    private void releaseWhenLate(Round<Boolean> round, List<String> keys, String value) {
        for (int i = 0; i < nodes.size(); i++) {
            if (round.replies().get(i).ok()) {
                continue;
            }
            LockNode node = nodes.get(i);
            round.futures().get(i).thenAccept(set -> {
                if (set) {
                    node.deleteAllIfValue(keys, value, true);
                }
            }).exceptionally(e -> null);
        }
    }

    private static void pause(long nanos, long deadline) throws InterruptedException {
        long bounded = Math.min(nanos, deadline - System.nanoTime());
        if (bounded > 0) {
            Thread.sleep(Duration.ofNanos(bounded));
        }
    }

    private static List<String> sortedNames(Collection<String> resources) {
        Objects.requireNonNull(resources, "resources");
        var sorted = new TreeSet<String>();
        for (String r : resources) {
            if (r == null || r.isBlank()) {
                throw new IllegalArgumentException("resource names must not be null or blank: " + resources);
            }
            sorted.add(r);
        }
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("acquire needs at least one resource");
        }
        return List.copyOf(sorted);
    }

    /**
     * newValue is unique per acquisition: this instance's random 128-bit prefix and a counter. Nobody
     * else can produce it (the prefix is drawn from SecureRandom on first use and after each restore),
     * and it costs no random draw per acquisition, which showed in the profile under many threads.
     */
    String newValue() {
        String prefix = valuePrefix;
        if (prefix == null) {
            prefix = drawValuePrefix();
        }
        return prefix + Long.toString(acquisitions.incrementAndGet(), 36);
    }

    private synchronized String drawValuePrefix() {
        if (valuePrefix == null) {
            byte[] bytes = new byte[VALUE_BYTES];
            RANDOM.nextBytes(bytes);
            valuePrefix = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + ".";
        }
        return valuePrefix;
    }

    /** config is the timing this lock was built with. */
    RedLockConfig config() {
        return config;
    }

    /** nodeCount is how many lock nodes this lock spans. */
    int nodeCount() {
        return nodes.size();
    }

    /**
     * adopt is a lease on resource that another client acquired with value and handed on: valid until
     * validUntilNanos by this JVM's clock, released and extended like one of ours.
     */
    Lease adopt(String resource, String value, long validUntilNanos) {
        long left = validUntilNanos - System.nanoTime();
        return new Lease(this, List.of(resource), List.of(config.keyPrefix() + resource), value, validUntilNanos,
                Instant.now().plusNanos(left));
    }

    /** One script call as a blocking call on any node and as a pipelined send. */
    private record NodeOp<T>(Function<LockNode, T> call, Function<PipelinedLockNode, PipelinedLockNode.Pending<T>> send) {}

    /** One round over all nodes: the answers in time, and every call's future. */
    private record Round<T>(List<Reply<T>> replies, List<CompletableFuture<T>> futures) {}

    /** One node's answer; value is null when the node failed or timed out. */
    private record Reply<T>(T value) {
        boolean ok() {
            return value != null;
        }
    }
}
