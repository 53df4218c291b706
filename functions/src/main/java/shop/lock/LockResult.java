package shop.lock;

import java.time.Duration;

/** LockResult is the outcome of {@link RedLock#acquire}: a lease, or the reason there is none. */
public sealed interface LockResult {

    /** Acquired holds the lease on all requested resources. */
    record Acquired(Lease lease) implements LockResult {}

    /** NotAcquired says why no lease was granted, after how many attempts and how long. */
    record NotAcquired(Reason reason, int attempts, Duration waited) implements LockResult {}

    /** Reason tells contention apart from an unreachable quorum, so callers can choose 409/503/DB-only. */
    enum Reason {
        /** CONTENDED: a majority answered but another holder kept the lock until maxWait ran out. */
        CONTENDED,
        /** QUORUM_UNREACHABLE: fewer than a majority of nodes answered; retrying at once will not help. */
        QUORUM_UNREACHABLE,
        /** INTERRUPTED: the calling thread was interrupted while acquiring; its flag is set again. */
        INTERRUPTED
    }
}
