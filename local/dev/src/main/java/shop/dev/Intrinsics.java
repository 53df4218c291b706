package shop.dev;

import java.util.Map;
import shop.stack.FunctionEnvironment;
import shop.stack.Template;

/**
 * Intrinsics resolves the few intrinsic functions the API's own settings use ({@code !Ref} to a
 * parameter, {@code !Sub} over parameters and pseudo parameters), for the values the runner needs
 * from {@code ShopApi}: the stage name, the CORS headers and the gateway response headers.
 */
final class Intrinsics {
    private final Template template;
    private final Map<String, String> parameters;

    Intrinsics(Template template, Map<String, String> parameters) {
        this.template = template;
        this.parameters = Map.copyOf(parameters);
    }

    /** resolve turns a YAML value into a string, or fails naming what it cannot resolve. */
    String resolve(Object value) {
        return FunctionEnvironment.resolveValue(template, parameters, Map.of(), value);
    }

    /** unquoted resolves a value API Gateway takes as a quoted literal ({@code "'*'"}) and drops the quotes. */
    String unquoted(Object value) {
        String s = resolve(value);
        return s.length() >= 2 && s.startsWith("'") && s.endsWith("'") ? s.substring(1, s.length() - 1) : s;
    }
}
