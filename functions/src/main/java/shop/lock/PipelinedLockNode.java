package shop.lock;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * PipelinedLockNode is a {@link LockNode} that can write a script call now and read its reply later,
 * so {@link RedLock} asks every node from one thread before it waits for any: a round over five nodes
 * costs five writes and five reads, not five thread hand-offs. Nodes that cannot do this are asked
 * in parallel on virtual threads as before.
 */
public interface PipelinedLockNode extends LockNode {

    /** sendSetAllIfAbsent writes {@link #setAllIfAbsent}; throws {@link LockNodeException} if it cannot. */
    Pending<Boolean> sendSetAllIfAbsent(List<String> keys, String value, Duration ttl, boolean registerWaiter);

    /** sendDeleteAllIfValue writes {@link #deleteAllIfValue}; throws {@link LockNodeException} if it cannot. */
    Pending<Integer> sendDeleteAllIfValue(List<String> keys, String value, boolean wake);

    /** sendExpireAllIfValue writes {@link #expireAllIfValue}; throws {@link LockNodeException} if it cannot. */
    Pending<Boolean> sendExpireAllIfValue(List<String> keys, String value, Duration ttl);

    /** Pending is a sent call whose reply has not been read yet. */
    interface Pending<T> {
        /**
         * await reads the reply until {@code deadlineNanos} (by {@link System#nanoTime()}); throws
         * {@link LockNodeException} when the node failed or did not answer in time.
         */
        T await(long deadlineNanos);

        /**
         * late completes with the reply even when {@link #await} gave up on it: a call that missed its
         * deadline is still read in the background for a while, so a SET that landed late can be
         * cleaned up. It fails when the node failed or never answered.
         */
        CompletableFuture<T> late();
    }
}
