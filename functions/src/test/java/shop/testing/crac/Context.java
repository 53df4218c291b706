package shop.testing.crac;

import shop.testing.LambdaEnvironment;

/** Context is the global context {@code org.crac} registers resources with; they go to {@link LambdaEnvironment}. */
public final class Context {
    static final Context GLOBAL = new Context();

    private Context() {
    }

    /** register is what {@code org.crac.Core.getGlobalContext().register} calls. */
    public void register(Resource resource) {
        LambdaEnvironment.register(resource);
    }
}
