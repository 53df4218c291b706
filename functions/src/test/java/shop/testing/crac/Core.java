package shop.testing.crac;

/** Core is the entry {@code org.crac} looks up: the global context, and no checkpoint of its own. */
public final class Core {
    private Core() {
    }

    /** getGlobalContext is the context every resource is registered with. */
    public static Context getGlobalContext() {
        return Context.GLOBAL;
    }

    /** checkpointRestore: a test runs the hooks through {@link shop.testing.LambdaEnvironment}, not by a real checkpoint. */
    public static void checkpointRestore() throws CheckpointException, RestoreException {
        throw new UnsupportedOperationException("no checkpoint in tests: use shop.testing.LambdaEnvironment");
    }
}
