package shop.inventory;

import java.util.List;

/**
 * OrderLock serialises reservations of the same goods across execution environments before they
 * reach the database, so that contenders wait in the lock service instead of holding database
 * connections and row locks. It is an efficiency measure only: the database transaction is what keeps
 * stock right, with or without the lock, and also when a holder is paused past its lease.
 */
public interface OrderLock extends AutoCloseable {

    /** acquire locks all the given goods together; ids come sorted ascending and without duplicates. */
    Outcome acquire(List<Long> goodsIds);

    /**
     * acquire as {@link #acquire(List)}, waiting at most {@code maxWait} (the request's time left
     * bounds it); a lock that never waits ignores it.
     */
    default Outcome acquire(List<Long> goodsIds, java.time.Duration maxWait) {
        return acquire(goodsIds);
    }

    /** metrics returns the lock's counters so far (acquire calls and time, retries, quorum failures); none by default. */
    default java.util.Optional<shop.lock.RedLockMetrics.Snapshot> metrics() {
        return java.util.Optional.empty();
    }

    /** gateMetrics returns the slot gate's counters (redlock mode); none by default. */
    default java.util.Optional<shop.lock.SlotGateMetrics.Snapshot> gateMetrics() {
        return java.util.Optional.empty();
    }

    /** close releases the lock's clients; the default holds none. */
    @Override
    default void close() {
    }

    /** Outcome is a held lock, no need of one, or why there is none. */
    sealed interface Outcome permits Held, Open, Contended, QuorumLost {
    }

    /** Held is a granted lock; close the release when the transaction is over. */
    record Held(Release release) implements Outcome {
    }

    /** Open: none of the goods is contended now, so no lock is taken and the row locks alone serialise them. */
    record Open() implements Outcome {
    }

    /** Contended: others kept the lock for longer than the wait allows. */
    record Contended() implements Outcome {
    }

    /** QuorumLost: fewer than a majority of lock nodes answered. */
    record QuorumLost() implements Outcome {
    }

    /** Release gives a held lock back; it never throws. */
    @FunctionalInterface
    interface Release extends AutoCloseable {
        @Override
        void close();
    }
}
