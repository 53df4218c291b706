package shop.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * RedLockConfig holds the timing of the lock, validated at construction.
 *
 * @param keyPrefix      prefix of every lock key in Redis, e.g. {@code lock:goods:}
 * @param ttl            default time to live of a lease, used by {@link RedLock#acquire(java.util.Collection)}
 * @param maxWait        default time to keep trying before giving up with CONTENDED
 * @param perNodeTimeout bound on one round trip to one node; must leave most of the ttl as validity
 * @param retryJitter    upper bound of the random back-off after a split vote (nobody got a majority)
 * @param pollMin        lower bound of the fallback poll while waiting for a release signal
 * @param pollMax        upper bound of the fallback poll; a missed signal costs at most this much
 */
public record RedLockConfig(
        String keyPrefix,
        Duration ttl,
        Duration maxWait,
        Duration perNodeTimeout,
        Duration retryJitter,
        Duration pollMin,
        Duration pollMax) {

    /** RedLockConfig rejects values the algorithm cannot work with, naming the field at fault. */
    public RedLockConfig {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        positive("ttl", ttl);
        notNegative("maxWait", maxWait);
        positive("perNodeTimeout", perNodeTimeout);
        positive("retryJitter", retryJitter);
        positive("pollMin", pollMin);
        positive("pollMax", pollMax);
        if (pollMin.compareTo(pollMax) > 0) {
            throw new IllegalArgumentException(
                    "pollMin (" + pollMin.toMillis() + " ms) must not exceed pollMax (" + pollMax.toMillis() + " ms)");
        }
        requireTtlAbove(ttl, perNodeTimeout);
    }

    /**
     * defaults suits a Lambda guarding one stock update: 10 s lease, 5 s wait, 50 ms per node, 5 ms
     * split-vote jitter and a 300-1000 ms fallback poll (64 waiters x a few ms of hold time must drain
     * before a poll runs out, or waiters lose their place in the queue).
     */
    public static RedLockConfig defaults() {
        return new RedLockConfig("lock:", Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(50),
                Duration.ofMillis(5), Duration.ofMillis(300), Duration.ofSeconds(1));
    }

    /** requireTtlAbove rejects a ttl that a slow round trip plus clock drift could use up entirely. */
    static void requireTtlAbove(Duration ttl, Duration perNodeTimeout) {
        positive("ttl", ttl);
        long usable = ttl.toNanos() - RedLock.driftNanos(ttl.toNanos());
        if (usable <= perNodeTimeout.toNanos()) {
            throw new IllegalArgumentException("ttl (" + ttl.toMillis() + " ms) minus clock drift (1 % + 2 ms) must exceed "
                    + "perNodeTimeout (" + perNodeTimeout.toMillis() + " ms), or no acquisition could leave validity");
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    private static void notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
