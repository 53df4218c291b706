package shop.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lease is a granted RedLock on one or more resources. It is valid until {@link #validUntil()},
 * and only as long as the holder is not paused beyond that (see the package documentation): use it
 * to avoid wasted work, never as the only guard of stock.
 *
 * <p>Close it with try-with-resources, or call {@link #release()}; both are idempotent.
 */
public final class Lease implements AutoCloseable {

    private final RedLock lock;
    private final List<String> resources;
    private final List<String> keys;
    private final String value;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile long validUntilNanos;
    private volatile Instant validUntil;

    Lease(RedLock lock, List<String> resources, List<String> keys, String value, long validUntilNanos, Instant validUntil) {
        this.lock = lock;
        this.resources = resources;
        this.keys = keys;
        this.value = value;
        this.validUntilNanos = validUntilNanos;
        this.validUntil = validUntil;
    }

    /** resources are the locked resource names, sorted and without duplicates. */
    public List<String> resources() {
        return resources;
    }

    /** validUntil is the wall-clock instant after which the lease must be treated as lost. */
    public Instant validUntil() {
        return validUntil;
    }

    /** remaining is the validity left by the monotonic clock; zero or negative once expired. */
    public Duration remaining() {
        return Duration.ofNanos(validUntilNanos - System.nanoTime());
    }

    /** isValid says whether validity remains and the lease has not been released. */
    public boolean isValid() {
        return !released.get() && validUntilNanos - System.nanoTime() > 0;
    }

    /**
     * release deletes the keys on every node where they still hold this lease's value and wakes one
     * waiter; returns true if a majority confirmed, false if the lease had expired or was taken over.
     */
    public boolean release() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        return lock.release(this);
    }

    /**
     * extend sets a new ttl on every node where the keys still hold this lease's value; true only if
     * a majority extended and validity remains. Refused once the lease is released or has expired.
     */
    public boolean extend(Duration ttl) {
        if (!isValid()) {
            lock.metrics().extendEnded(false);
            return false;
        }
        return lock.extend(this, ttl);
    }

    /** close releases the lease if it is still held. */
    @Override
    public void close() {
        release();
    }

    List<String> keys() {
        return keys;
    }

    String value() {
        return value;
    }

    void validUntil(long nanos, Instant instant) {
        this.validUntilNanos = nanos;
        this.validUntil = instant;
    }

    @Override
    public String toString() {
        return "Lease" + resources + " valid until " + validUntil;
    }
}
