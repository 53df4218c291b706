package shop.inventory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * InventoryMetrics counts what a person watching the service wants to know: how often a transaction
 * was retried after a lock conflict, and how often the order lock could not help.
 */
public final class InventoryMetrics {
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong lockContended = new AtomicLong();
    private final AtomicLong lockQuorumLost = new AtomicLong();

    void countRetry() {
        retries.incrementAndGet();
    }

    void countLockContended() {
        lockContended.incrementAndGet();
    }

    void countLockQuorumLost() {
        lockQuorumLost.incrementAndGet();
    }

    /** retries is how many transactions were run again after a deadlock, lock wait timeout or lost connection. */
    public long retries() {
        return retries.get();
    }

    /** lockContended is how many reservations went on under row locks alone because the lock wait ran out. */
    public long lockContended() {
        return lockContended.get();
    }

    /** lockQuorumLost is how many reservations found fewer than a majority of lock nodes answering. */
    public long lockQuorumLost() {
        return lockQuorumLost.get();
    }
}
