package shop.lock.jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import shop.lock.LockNode;
import shop.lock.LockResult.Acquired;
import shop.lock.RedLock;
import shop.lock.RedLockConfig;

/**
 * HotKeyBench compares RedLock hand-off on one hot key with an in-process lock around the same
 * critical section (a stand-in for the DB row lock). Off by default: {@code -Dredlock.bench=true}.
 */
@EnabledIfSystemProperty(named = "redlock.bench", matches = "true")
class HotKeyBench {

    private static final Duration CRITICAL = Duration.ofMillis(Long.getLong("redlock.bench.criticalMs", 2));
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("redlock.bench.seconds", 4));

    private static final RedLockConfig CONFIG = new RedLockConfig("lock:", Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofMillis(Long.getLong("redlock.bench.nodeTimeoutMs", 50)),
            Duration.ofMillis(Long.getLong("redlock.bench.jitterMs", 5)),
            Duration.ofMillis(Long.getLong("redlock.bench.pollMinMs", 300)),
            Duration.ofMillis(Long.getLong("redlock.bench.pollMaxMs", 1000)));

    @Test
    void hotKey_throughput() throws Exception {
        try (var redis = new RedisNodes(5)) {
            for (int workers : new int[] {16, 64}) {
                var local = new ReentrantLock(true);
                double base = run(workers, w -> () -> {
                    local.lock();
                    try {
                        Thread.sleep(CRITICAL);
                    } finally {
                        local.unlock();
                    }
                    return true;
                });
                var opened = new ArrayList<AutoCloseable>();
                double red = run(workers, w -> {
                    var nodes = JedisLockNode.connectAll(redis.addresses(), JedisLockNode.Options.defaults());
                    opened.addAll(nodes);
                    var lock = new RedLock(List.<LockNode>copyOf(nodes), CONFIG);
                    opened.add(lock);
                    // A warm Lambda has its connections open already.
                    if (lock.acquire(List.of("warm-" + w)) instanceof Acquired(var warm)) {
                        warm.release();
                    }
                    return () -> {
                        if (lock.acquire(List.of("hot")) instanceof Acquired(var lease)) {
                            try (lease) {
                                Thread.sleep(CRITICAL);
                            }
                            return true;
                        }
                        return false;
                    };
                });
                for (var c : opened) {
                    if (c instanceof RedLock l) {
                        sum(l.metrics().snapshot());
                    }
                    c.close();
                }
                System.out.println("  " + totals);
                totals = null;
                System.out.printf("workers=%d critical=%dms baseline=%.0f/s redlock=%.0f/s ratio=%.2f%n",
                        workers, CRITICAL.toMillis(), base, red, red / base);
            }
        }
    }

    private static shop.lock.RedLockMetrics.Snapshot totals;

    private static void sum(shop.lock.RedLockMetrics.Snapshot s) {
        var t = totals;
        totals = t == null ? s : new shop.lock.RedLockMetrics.Snapshot(
                t.acquired() + s.acquired(), t.contended() + s.contended(), t.quorumUnreachable() + s.quorumUnreachable(),
                t.interrupted() + s.interrupted(), t.attempts() + s.attempts(), t.retries() + s.retries(),
                t.quorumFailures() + s.quorumFailures(), t.splitVotes() + s.splitVotes(), t.nodeErrors() + s.nodeErrors(),
                t.wakeups() + s.wakeups(), t.pollTimeouts() + s.pollTimeouts(), t.released() + s.released(),
                t.releaseRefused() + s.releaseRefused(), t.extended() + s.extended(), t.extendRefused() + s.extendRefused(),
                t.latencyCount() + s.latencyCount(), t.latencyTotalNanos() + s.latencyTotalNanos(),
                Math.max(t.latencyMaxNanos(), s.latencyMaxNanos()), s.latencyBuckets());
    }

    interface Step {
        boolean run() throws Exception;
    }

    interface Worker {
        Step create(int index);
    }

    private static double run(int workers, Worker factory) throws Exception {
        var stop = new AtomicBoolean();
        var start = new CountDownLatch(1);
        long[] done = new long[workers];
        List<long[]> latencies = new ArrayList<>();
        var threads = new ArrayList<Thread>();
        for (int w = 0; w < workers; w++) {
            int id = w;
            Step step = factory.create(w);
            long[] lat = new long[1_000_000];
            latencies.add(lat);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        if (step.run()) {
                            lat[(int) (done[id]++ % lat.length)] = System.nanoTime() - t0;
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        Thread.sleep(RUN);
        stop.set(true);
        for (var t : threads) {
            t.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long total = Arrays.stream(done).sum();
        long[] all = new long[(int) Math.min(total, 10_000_000)];
        int k = 0;
        for (int w = 0; w < workers; w++) {
            for (int i = 0; i < Math.min(done[w], latencies.get(w).length); i++) {
                all[k++] = latencies.get(w)[i];
            }
        }
        Arrays.sort(all, 0, k);
        System.out.printf("  workers=%d ops=%d p50=%.1fms p99=%.1fms%n", workers, total,
                k == 0 ? 0 : all[k / 2] / 1e6, k == 0 ? 0 : all[(int) (k * 0.99)] / 1e6);
        return total / secs;
    }
}
