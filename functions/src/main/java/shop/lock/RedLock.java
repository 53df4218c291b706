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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.lock.LockResult.Acquired;
import shop.lock.LockResult.NotAcquired;
import shop.lock.LockResult.Reason;

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
            long sent = System.nanoTime();
            Round<Boolean> round;
            try {
                round = onAllNodes(new NodeOp<>(node -> node.setAllIfAbsent(keys, value, ttl),
                        node -> node.sendSetAllIfAbsent(keys, value, ttl)));
            } catch (InterruptedException e) {
                releaseQuietly(keys, value, true);
                throw e;
            }
            List<Reply<Boolean>> replies = round.replies();
            long now = System.nanoTime();
            int won = 0;
            int held = 0;
            int answered = 0;
            int signalNode = -1;
            for (int i = 0; i < replies.size(); i++) {
                Reply<Boolean> reply = replies.get(i);
                if (reply.ok()) {
                    answered++;
                    won += reply.value() ? 1 : 0;
                    held += reply.value() ? 0 : 1;
                    signalNode = signalNode < 0 ? i : signalNode;
                }
            }
            long validity = validityNanos(ttl.toNanos(), now - sent);
            if (won >= quorum && validity > 0) {
                var lease = new Lease(this, names, keys, value, now + validity, Instant.now().plusNanos(validity));
                return new Acquired(lease);
            }
            boolean unreachable = answered < quorum;
            boolean timedOut = now - deadline >= 0;
            // Release on every node, also those that seemed to fail: a timed-out SET may have landed,
            // and one that answers later is released when it does. Wake a waiter only when giving up:
            // a woken waiter that won some nodes must not hand its turn to the next one.
            releaseQuietly(keys, value, unreachable || timedOut);
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
            if (won > 0 && (held < quorum || splitStreak <= MAX_SPLIT_RETRIES)) {
                // A split vote, or a release still in flight on some nodes: nobody may hold the lock,
                // so nobody will signal. Back off briefly at random and try again. Should a majority
                // stay held (keys left by a late SET), stop and wait like everyone else.
                pause(ThreadLocalRandom.current().nextLong(1, config.retryJitter().toNanos() + 1), deadline);
            } else {
                awaitRelease(nodes.get(signalNode), keys, deadline);
            }
        }
    }

    private void awaitRelease(LockNode node, List<String> keys, long deadline) throws InterruptedException {
        long poll = ThreadLocalRandom.current().nextLong(config.pollMin().toNanos(), config.pollMax().toNanos() + 1);
        long timeout = Math.min(poll, deadline - System.nanoTime());
        if (timeout <= 0) {
            return;
        }
        try {
            metrics.waitEnded(node.awaitRelease(keys, Duration.ofNanos(timeout)));
        } catch (LockNodeException e) {
            metrics.nodeErrors(1);
            LOG.debug("waiting for release failed, polling instead", e);
            pause(ThreadLocalRandom.current().nextLong(1, config.retryJitter().toNanos() + 1), deadline);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    boolean release(Lease lease) {
        List<Reply<Integer>> replies = onAllNodesUninterruptibly(deleteAll(lease.keys(), lease.value(), true)).replies();
        int size = lease.keys().size();
        boolean ok = replies.stream().filter(r -> r.ok() && r.value() == size).count() >= quorum;
        metrics.releaseEnded(ok);
        return ok;
    }

    boolean extend(Lease lease, Duration ttl) {
        RedLockConfig.requireTtlAbove(ttl, config.perNodeTimeout());
        long sent = System.nanoTime();
        List<Reply<Boolean>> replies = onAllNodesUninterruptibly(new NodeOp<>(
                node -> node.expireAllIfValue(lease.keys(), lease.value(), ttl),
                node -> node.sendExpireAllIfValue(lease.keys(), lease.value(), ttl))).replies();
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

    private void releaseQuietly(List<String> keys, String value, boolean wake) {
        onAllNodesUninterruptibly(deleteAll(keys, value, wake));
    }

    private static NodeOp<Integer> deleteAll(List<String> keys, String value, boolean wake) {
        return new NodeOp<>(node -> node.deleteAllIfValue(keys, value, wake),
                node -> node.sendDeleteAllIfValue(keys, value, wake));
    }

    /** Runs op on all nodes; an interrupt is deferred until the round is over, so cleanup always runs. */
    private <T> Round<T> onAllNodesUninterruptibly(NodeOp<T> op) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return onAllNodes(op);
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
     * Runs op on all nodes and waits at most the per-node timeout. A {@link PipelinedLockNode} gets the
     * call written from this thread before any reply is read; other nodes run it on a virtual thread
     * each. A node that fails or is late counts as no answer; a late call is not cut off but left to
     * finish (a pipelined one is read on in the background), and its future is returned so the caller
     * can clean up after it.
     */
    private <T> Round<T> onAllNodes(NodeOp<T> op) throws InterruptedException {
        long deadline = System.nanoTime() + config.perNodeTimeout().toNanos();
        int n = nodes.size();
        List<CompletableFuture<T>> futures = new ArrayList<>(n);
        List<PipelinedLockNode.Pending<T>> pending = new ArrayList<>(n);
        List<CompletableFuture<T>> threaded = new ArrayList<>();
        for (LockNode node : nodes) {
            PipelinedLockNode.Pending<T> sent = null;
            CompletableFuture<T> future = null;
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
            if (future.state() == Future.State.SUCCESS) {
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

    private static String newValue() {
        byte[] bytes = new byte[VALUE_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
