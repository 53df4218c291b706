package shop.lock;

/** LockNodeException says a lock node could not answer: unreachable, timed out or failed. */
public final class LockNodeException extends RuntimeException {

    /** LockNodeException wraps the driver's failure with the node's name. */
    public LockNodeException(String node, String message, Throwable cause) {
        super(node + ": " + message, cause);
    }

    /**
     * slow says the node did not answer in time (a read or connect timeout, or no pooled connection
     * freed in time) rather than refusing or failing: it is most likely up but overloaded, and the
     * call may even have run.
     */
    public boolean slow() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.util.NoSuchElementException) {
                return true;
            }
        }
        return false;
    }
}
