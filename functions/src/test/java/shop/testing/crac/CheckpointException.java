package shop.testing.crac;

/** CheckpointException is the failure type {@code org.crac} expects of a checkpoint. */
public final class CheckpointException extends Exception {
    private static final long serialVersionUID = 1L;
}
