package shop.lock;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * GateNode is one Redis master in its role as the home node of some resources for {@link SlotGate}:
 * it counts their arrivals, keeps their hot marks, their slots, their parked leases and their queue
 * of waiters. Every operation is one atomic script on this node alone; nothing here needs a
 * majority. A node's state is an accelerator, never the bound itself: what bounds the holders of a
 * resource is that each holds one of its slots' RedLock leases, which live on a majority of nodes.
 *
 * <p>{@code key} is the resource's key (prefix and name); the node derives its other keys from it,
 * and slot {@code k}'s lease is the RedLock key {@code key#k}. Every call waits for its reply until
 * {@code deadlineNanos} ({@link System#nanoTime()}), but at least one per-command timeout of the node
 * (so a caller with no time left still gets one answer) and at most its longest single wait. An
 * implementation throws {@link LockNodeException} when the node cannot answer in that time.
 */
public interface GateNode {

    /**
     * Settings are the gate's numbers as this node applies them.
     *
     * @param hotAfter        arrivals in one window after which a resource is hot (0: always hot)
     * @param windowMillis    the arrival-counting window, from its first arrival
     * @param hotForMillis    how long a hot mark lasts after the last arrival or queue that renewed it
     * @param slots           slots per resource, so leases that may be out at once
     * @param minLeaseMillis  a parked lease with less validity left than this is dropped, not handed out
     * @param acquireMillis   how long a slot granted for acquisition stays taken before it counts as lost
     * @param graceMillis     how long after a lease's end its slot stays taken (the keys' clock drift)
     * @param extendBelowMillis a lease with less than this left is extended before it is handed on
     * @param inboxTtlMillis  how long a grant waits in a waiter's inbox before it expires
     * @param openHoldMillis  when a resource turns hot, the arrivals of that window that went on without
     *                        a slot keep as many slots out of use for this long
     */
    record Settings(int hotAfter, long windowMillis, long hotForMillis, int slots, long minLeaseMillis,
                    long acquireMillis, long graceMillis, long extendBelowMillis, long inboxTtlMillis,
                    long openHoldMillis) {
    }

    /**
     * HandOff is what became of a lease given back: handed to a waiter, parked, to be extended first, or
     * nothing because it was lost (this node holds another value, or none, under the slot's key).
     */
    enum HandOff { PASSED, PARKED, EXTEND_FIRST, LOST }

    /** Reply is what {@link #enter} answers, and what a waiter finds in its inbox (a Lease or an Acquire). */
    sealed interface Reply permits Open, Lease, Acquire, Queued {
    }

    /** Open: the resource is quiet; go on without a slot. */
    record Open() implements Reply {
    }

    /** Lease: a parked or handed-on lease of slot {@code slot}, with {@code remainingMillis} of validity when granted. */
    record Lease(int slot, String value, long remainingMillis) implements Reply {
    }

    /** Acquire: slot {@code slot} is free; take it with a RedLock acquisition. */
    record Acquire(int slot) implements Reply {
    }

    /**
     * Queued: the caller waits in the resource's queue as {@code entry}; a grant will arrive in its
     * inbox. {@code wakeMillis} is when, from now, a slot that nobody holds comes free (its entry on the
     * node ends: kept for the quiet arrivals of a window, or for a lease this node does not know), so
     * that the caller can {@link #serve} the queue itself then; -1 when there is none, or the caller
     * queues behind as many waiters as there are slots.
     */
    record Queued(String entry, long wakeMillis) implements Reply {
    }

    /**
     * enter counts an arrival and answers Open while the resource is quiet. Once it is hot: a parked
     * lease, or a free slot to acquire, when nobody queues before the caller; otherwise the caller
     * queues, for at most waitMillis, and a later hand-off puts a grant in its inbox. The arrival that
     * makes a resource hot also keeps one slot out of use for openHoldMillis per earlier arrival of its
     * window (they may be in the database without a slot), so that together they stay within the slots:
     * a parked lease, like a free slot, goes out only while fewer than the slots are out, counting those.
     */
    Reply enter(String key, String inbox, long waitMillis, Settings settings, long deadlineNanos);

    /**
     * serve hands capacity that came free without a hand-off (a slot kept for quiet arrivals or whose
     * lease ran out, a dead waiter's turn) to the live waiters, oldest first. A waiter calls it when
     * its wait timed out. Returns, like {@link Queued#wakeMillis()}, the milliseconds until the next
     * slot's entry ends while waiters remain, or -1.
     */
    long serve(String key, Settings settings, long deadlineNanos);

    /**
     * handOff gives a lease of slot {@code slot} to the oldest live waiter, or parks it for the next
     * arrival (also when as many slots as there are, or more, are out without it, as after quiet arrivals
     * went on beside a holder that outlived the hot mark). Its end stays what the node knows for the slot, unless the lease is fresh (just acquired
     * or extended) or the node knows none: then it ends remainingMillis from now. Handing a lease on
     * many times therefore does not shorten it. A lease that is not fresh and has less than
     * extendBelowMillis left is not handed on: EXTEND_FIRST, and the holder extends it on a majority
     * and hands it on again, fresh. A lease whose key {@code key#slot} on this node does not hold
     * {@code value} ran out while it was held (the slot may be another's by now): LOST, and nothing is
     * handed on, parked or noted for the slot.
     */
    HandOff handOff(String key, int slot, String value, long remainingMillis, boolean fresh, Settings settings,
                    long deadlineNanos);

    /**
     * drop gives up slot {@code slot} (its lease was released or lost): the oldest live waiter may
     * acquire it (while fewer than the slots are out without it), else it is free. True if a waiter got it.
     */
    boolean drop(String key, int slot, Settings settings, long deadlineNanos);

    /** block keeps slot {@code slot} taken for millis: a lease this node does not know holds it. */
    void block(String key, int slot, long millis, long deadlineNanos);

    /**
     * leave takes the caller's queue entry out; when a grant reached its inbox first, returns that
     * grant (a Lease or an Acquire), which the caller now owns.
     */
    Optional<Reply> leave(String key, String inbox, String entry, long deadlineNanos);

    /** await blocks until a grant arrives in the caller's inbox or timeout passes. */
    Optional<Reply> await(String key, String inbox, Duration timeout);

    /**
     * quiet counts an arrival for each key and answers, in order, which of them are quiet: no hot mark,
     * and at most hotAfter arrivals in the current window (which starts at its first arrival). Plain
     * commands in one round trip, no script: the call every reservation of a quiet goods makes, so the
     * cheapest one. It never marks a resource hot; {@link #enter} does that for the arrivals it is not
     * quiet for. A count found without an expiry (a window that ended between its commands) is not
     * quiet, so that {@link #enter}, which gives it one, runs.
     */
    List<Boolean> quiet(List<String> keys, Settings settings, long deadlineNanos);

    /** name identifies the node in logs, e.g. {@code 127.0.0.1:6380}. */
    String name();

    /**
     * parse reads a reply in the scripts' format: {@code O}, {@code L|slot|value|ms},
     * {@code A|slot} or {@code Q|wakeMs|entry}. Values never hold '|'.
     */
    static Reply parse(String reply) {
        if (reply == null || reply.isEmpty()) {
            throw new IllegalArgumentException("empty gate reply");
        }
        return switch (reply.charAt(0)) {
            case 'O' -> new Open();
            case 'Q' -> {
                int a = reply.indexOf('|', 2);
                yield new Queued(reply.substring(a + 1), Long.parseLong(reply.substring(2, a)));
            }
            case 'A' -> new Acquire(Integer.parseInt(reply.substring(2)));
            case 'L' -> {
                int a = reply.indexOf('|', 2);
                int b = reply.lastIndexOf('|');
                yield new Lease(Integer.parseInt(reply.substring(2, a)), reply.substring(a + 1, b),
                        Long.parseLong(reply.substring(b + 1)));
            }
            default -> throw new IllegalArgumentException("unknown gate reply " + reply);
        };
    }
}
