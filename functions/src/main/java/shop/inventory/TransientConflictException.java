package shop.inventory;

/**
 * TransientConflictException is a conflict between concurrent transactions that says nothing about the
 * request: an InnoDB deadlock (1213), a lock wait timeout (1205), or a race seen while explaining a
 * refusal. The service retries it with jittered back-off; a caller never sees it unless retries run out.
 */
public final class TransientConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with what happened and its cause. */
    public TransientConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
