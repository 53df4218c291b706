package shop.lock;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * RedLockMetrics counts what the lock does, lock-free and thread-safe; {@link #snapshot()} copies
 * the counters into a record that a handler can log or export. No metrics library is needed.
 */
public final class RedLockMetrics {

    /** BUCKET_BOUNDS_MILLIS are the exclusive upper bounds of the acquire latency histogram; one more bucket holds the rest. */
    public static final List<Long> BUCKET_BOUNDS_MILLIS = List.of(1L, 2L, 5L, 10L, 20L, 50L, 100L, 200L, 500L, 1000L, 2000L);

    private final LongAdder acquired = new LongAdder();
    private final LongAdder contended = new LongAdder();
    private final LongAdder quorumUnreachable = new LongAdder();
    private final LongAdder interrupted = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder quorumFailures = new LongAdder();
    private final LongAdder splitVotes = new LongAdder();
    private final LongAdder nodeErrors = new LongAdder();
    private final LongAdder wakeups = new LongAdder();
    private final LongAdder pollTimeouts = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final LongAdder releaseRefused = new LongAdder();
    private final LongAdder extended = new LongAdder();
    private final LongAdder extendRefused = new LongAdder();
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencyTotalNanos = new LongAdder();
    private final AtomicLong latencyMaxNanos = new AtomicLong();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKET_BOUNDS_MILLIS.size() + 1);

    /**
     * Snapshot is a consistent-enough copy of the counters (each read atomically, not all at once).
     *
     * @param acquired          acquire calls that returned a lease
     * @param contended         acquire calls that gave up with CONTENDED
     * @param quorumUnreachable acquire calls that gave up with QUORUM_UNREACHABLE
     * @param interrupted       acquire calls that gave up because the thread was interrupted
     * @param attempts          rounds of SET NX PX sent to all nodes
     * @param retries           rounds after the first one of an acquire call
     * @param quorumFailures    rounds in which fewer than a majority of nodes answered
     * @param splitVotes        rounds in which this client won some nodes but not a majority
     * @param nodeErrors        single node operations that failed or timed out
     * @param wakeups           waits ended by a release signal
     * @param pollTimeouts      waits ended by the fallback poll interval
     * @param released          leases released on a majority
     * @param releaseRefused    releases refused (expired or taken over)
     * @param extended          extensions granted
     * @param extendRefused     extensions refused
     * @param latencyCount      acquire calls timed
     * @param latencyTotalNanos sum of acquire call durations
     * @param latencyMaxNanos   longest acquire call
     * @param latencyBuckets    acquire calls per bucket of {@link #BUCKET_BOUNDS_MILLIS}, last is overflow
     */
    public record Snapshot(
            long acquired, long contended, long quorumUnreachable, long interrupted,
            long attempts, long retries, long quorumFailures, long splitVotes, long nodeErrors,
            long wakeups, long pollTimeouts,
            long released, long releaseRefused, long extended, long extendRefused,
            long latencyCount, long latencyTotalNanos, long latencyMaxNanos, List<Long> latencyBuckets) {

        /** meanLatency is the average acquire call duration, zero before the first call. */
        public Duration meanLatency() {
            return latencyCount == 0 ? Duration.ZERO : Duration.ofNanos(latencyTotalNanos / latencyCount);
        }
    }

    /** snapshot copies every counter. */
    public Snapshot snapshot() {
        return new Snapshot(
                acquired.sum(), contended.sum(), quorumUnreachable.sum(), interrupted.sum(),
                attempts.sum(), retries.sum(), quorumFailures.sum(), splitVotes.sum(), nodeErrors.sum(),
                wakeups.sum(), pollTimeouts.sum(),
                released.sum(), releaseRefused.sum(), extended.sum(), extendRefused.sum(),
                latencyCount.sum(), latencyTotalNanos.sum(), latencyMaxNanos.get(),
                IntStream.range(0, buckets.length()).mapToObj(buckets::get).toList());
    }

    void acquireFinished(LockResult result, long nanos) {
        switch (result) {
            case LockResult.Acquired a -> acquired.increment();
            case LockResult.NotAcquired n -> (switch (n.reason()) {
                case CONTENDED -> contended;
                case QUORUM_UNREACHABLE -> quorumUnreachable;
                case INTERRUPTED -> interrupted;
            }).increment();
        }
        latencyCount.increment();
        latencyTotalNanos.add(nanos);
        latencyMaxNanos.accumulateAndGet(nanos, Math::max);
        buckets.incrementAndGet(bucketOf(nanos));
    }

    static int bucketOf(long nanos) {
        long millis = nanos / 1_000_000;
        for (int i = 0; i < BUCKET_BOUNDS_MILLIS.size(); i++) {
            if (millis < BUCKET_BOUNDS_MILLIS.get(i)) {
                return i;
            }
        }
        return BUCKET_BOUNDS_MILLIS.size();
    }

    void attempt(boolean retry) {
        attempts.increment();
        if (retry) {
            retries.increment();
        }
    }

    void quorumFailure() { quorumFailures.increment(); }

    void splitVote() { splitVotes.increment(); }

    void nodeErrors(int count) { nodeErrors.add(count); }

    void waitEnded(boolean woken) { (woken ? wakeups : pollTimeouts).increment(); }

    void releaseEnded(boolean ok) { (ok ? released : releaseRefused).increment(); }

    void extendEnded(boolean ok) { (ok ? extended : extendRefused).increment(); }
}
