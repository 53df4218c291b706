package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
import shop.platform.config.Env;

/** MalformedHandler returns what API Gateway cannot turn into a response (a body that is not a string). */
public final class MalformedHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    public MalformedHandler(Env env) {
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return Map.of("statusCode", 200, "body", Map.of("not", "a string"));
    }
}
