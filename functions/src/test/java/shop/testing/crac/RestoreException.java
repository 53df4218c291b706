package shop.testing.crac;

/** RestoreException is the failure type {@code org.crac} expects of a restore. */
public final class RestoreException extends Exception {
    private static final long serialVersionUID = 1L;
}
