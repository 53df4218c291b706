package shop.lock;

import java.time.Duration;
import java.util.List;

/**
 * LockNode is one independent Redis master as the RedLock algorithm sees it: three atomic scripts
 * and a way to wait for a release. One adapter per driver implements it (see {@code shop.lock.jedis}).
 *
 * <p>Every operation takes all keys of one acquisition, already sorted, and runs as one round trip.
 * An implementation throws {@link LockNodeException} when the node cannot answer (down, timed out,
 * script error); it never returns a guess.
 */
public interface LockNode {

    /** setAllIfAbsent sets every key to value with the given ttl if none of them exists; all or none. */
    default boolean setAllIfAbsent(List<String> keys, String value, Duration ttl) {
        return setAllIfAbsent(keys, value, ttl, false);
    }

    /**
     * setAllIfAbsent sets every key to value with the given ttl if none of them exists; all or none.
     * When it fails and registerWaiter is true, the caller is counted as a waiter of the first key
     * that was held, in the same atomic step, so that the holder's release signals it (see
     * {@link #awaitRelease}); the count expires on its own should the waiter go away.
     */
    boolean setAllIfAbsent(List<String> keys, String value, Duration ttl, boolean registerWaiter);

    /**
     * deleteAllIfValue deletes those keys that still hold value and returns how many it deleted; if
     * wake is true it also signals one registered waiter per deleted key, and nobody when none
     * registered (see {@link #awaitRelease}): a release nobody waits for costs no signal.
     */
    int deleteAllIfValue(List<String> keys, String value, boolean wake);

    /** expireAllIfValue sets a new ttl on every key if all of them still hold value; all or none. */
    boolean expireAllIfValue(List<String> keys, String value, Duration ttl);

    /**
     * awaitRelease blocks until a release signal for any of keys arrives or timeout passes; returns
     * true if signalled. Signals go to waiters registered by a failed {@link #setAllIfAbsent} on this
     * node; one sent before the waiter blocks is kept briefly, so it is not lost.
     */
    boolean awaitRelease(List<String> keys, Duration timeout);

    /** name identifies the node in logs and metrics, e.g. {@code 127.0.0.1:6380}. */
    String name();
}
