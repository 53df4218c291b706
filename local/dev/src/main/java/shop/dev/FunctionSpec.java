package shop.dev;

import java.util.Map;

/**
 * FunctionSpec is one {@code AWS::Serverless::Function} as the runner runs it.
 *
 * @param id             logical id, also the function name in its context
 * @param handlerClass   the class of {@code Handler: pkg.Class::method}
 * @param handlerMethod  the method ({@code handleRequest})
 * @param memoryMb       MemorySize (own, else Globals)
 * @param timeoutSeconds Timeout (own, else Globals)
 * @param environment    the resolved environment the handler is built with
 * @param configError    why the environment could not be resolved, or null; invoking then fails like an init error
 */
record FunctionSpec(String id, String handlerClass, String handlerMethod, int memoryMb, int timeoutSeconds,
                    Map<String, String> environment, String configError) {
    FunctionSpec {
        environment = Map.copyOf(environment);
    }

    /** withHandler returns this function running another handler (tests plug in their own). */
    FunctionSpec withHandler(String handler) {
        String[] parts = handler.split("::", 2);
        return new FunctionSpec(id, parts[0], parts.length > 1 ? parts[1] : "handleRequest", memoryMb, timeoutSeconds,
                environment, configError);
    }
}
