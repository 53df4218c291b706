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
    boolean setAllIfAbsent(List<String> keys, String value, Duration ttl);

    /**
     * deleteAllIfValue deletes those keys that still hold value and returns how many it deleted; if
     * wake is true it also signals one waiter per deleted key (see {@link #awaitRelease}).
     */
    int deleteAllIfValue(List<String> keys, String value, boolean wake);

    /** expireAllIfValue sets a new ttl on every key if all of them still hold value; all or none. */
    boolean expireAllIfValue(List<String> keys, String value, Duration ttl);

    /**
     * awaitRelease blocks until a release signal for any of keys arrives or timeout passes; returns
     * true if signalled. A signal sent while nobody waits is kept briefly, so it is not lost.
     */
    boolean awaitRelease(List<String> keys, Duration timeout);

    /** name identifies the node in logs and metrics, e.g. {@code 127.0.0.1:6380}. */
    String name();
}
