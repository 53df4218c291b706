package shop.inventory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import shop.lock.RedLockMetrics;
import shop.lock.SlotGateMetrics;
import shop.platform.metrics.EmbeddedMetrics;
import shop.platform.metrics.EmbeddedMetrics.Metric;

/**
 * InventoryMetricsPublisher turns the service's and the RedLock's counters into CloudWatch metrics:
 * after each request it publishes what changed since the last one (one EMF log line, nothing when
 * nothing changed): RedLock acquisitions and their total time, lock retries, quorum failures and node
 * errors, transactions retried, reservations that went on under row locks alone (or were refused), and
 * the slot gate's counts: reservations that took no lock (quiet goods), held a slot, or queued.
 */
final class InventoryMetricsPublisher {
    static final String NAMESPACE = shop.platform.metrics.Metrics.NAMESPACE;

    private final InventoryService service;
    private final EmbeddedMetrics emf;
    private final Clock clock;
    private Counters last = Counters.ZERO;
    private GateCounters lastGate = GateCounters.ZERO;

    InventoryMetricsPublisher(InventoryService service, Consumer<String> sink, Clock clock) {
        this.service = service;
        this.emf = new EmbeddedMetrics(NAMESPACE, Map.of("Service", "inventory"), sink);
        this.clock = clock;
    }

    /** Counters are the cumulative values published as deltas. */
    record Counters(long transactionRetries, long lockWaitRanOut, long lockQuorumLost, long lockAcquires,
                    long lockAcquireNanos, long lockRetries, long lockQuorumFailures, long lockNodeErrors) {
        static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, 0, 0);

        static Counters of(InventoryMetrics m, java.util.Optional<RedLockMetrics.Snapshot> lock) {
            RedLockMetrics.Snapshot s = lock.orElse(null);
            return new Counters(m.retries(), m.lockContended(), m.lockQuorumLost(),
                    s == null ? 0 : s.latencyCount(), s == null ? 0 : s.latencyTotalNanos(),
                    s == null ? 0 : s.retries(), s == null ? 0 : s.quorumFailures(), s == null ? 0 : s.nodeErrors());
        }

        /** since lists this minus an earlier reading as metrics. */
        List<Metric> since(Counters before) {
            return List.of(
                    new Metric("TransactionRetries", transactionRetries - before.transactionRetries, "Count"),
                    new Metric("LockWaitRanOut", lockWaitRanOut - before.lockWaitRanOut, "Count"),
                    new Metric("LockQuorumLost", lockQuorumLost - before.lockQuorumLost, "Count"),
                    new Metric("LockAcquires", lockAcquires - before.lockAcquires, "Count"),
                    new Metric("LockAcquireTime", (lockAcquireNanos - before.lockAcquireNanos) / 1_000_000.0,
                            "Milliseconds"),
                    new Metric("LockRetries", lockRetries - before.lockRetries, "Count"),
                    new Metric("LockQuorumFailures", lockQuorumFailures - before.lockQuorumFailures, "Count"),
                    new Metric("LockNodeErrors", lockNodeErrors - before.lockNodeErrors, "Count"));
        }
    }

    /**
     * GateCounters are the slot gate's cumulative values (redlock mode): reservations of quiet goods that
     * took no lock, those that held a slot, waits in a hot goods' queue, leases that ran out while held,
     * and home node calls that failed.
     */
    record GateCounters(long open, long held, long queued, long leasesLost, long homeNodeErrors) {
        static final GateCounters ZERO = new GateCounters(0, 0, 0, 0, 0);

        static GateCounters of(java.util.Optional<SlotGateMetrics.Snapshot> gate) {
            return gate.map(g -> new GateCounters(g.open(), g.slotted(), g.queued(), g.lost(), g.nodeErrors()))
                    .orElse(ZERO);
        }

        /** since lists this minus an earlier reading as metrics. */
        List<Metric> since(GateCounters before) {
            return List.of(
                    new Metric("LockOpen", open - before.open, "Count"),
                    new Metric("LockHeld", held - before.held, "Count"),
                    new Metric("LockQueued", queued - before.queued, "Count"),
                    new Metric("LockLeasesLost", leasesLost - before.leasesLost, "Count"),
                    new Metric("LockHomeNodeErrors", homeNodeErrors - before.homeNodeErrors, "Count"));
        }
    }

    /** publish writes what changed since the last call; returns the line, or null when nothing did. */
    synchronized String publish() {
        Counters now = Counters.of(service.metrics(), service.lockMetrics());
        GateCounters gateNow = GateCounters.of(service.lockGateMetrics());
        List<Metric> metrics = new java.util.ArrayList<>(now.since(last));
        metrics.addAll(gateNow.since(lastGate));
        String line = emf.publish(metrics, clock.millis());
        last = now;
        lastGate = gateNow;
        return line;
    }
}
