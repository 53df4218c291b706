package shop.lock;

/** LockNodeException says a lock node could not answer: unreachable, timed out or failed. */
public final class LockNodeException extends RuntimeException {

    /** LockNodeException wraps the driver's failure with the node's name. */
    public LockNodeException(String node, String message, Throwable cause) {
        super(node + ": " + message, cause);
    }
}
