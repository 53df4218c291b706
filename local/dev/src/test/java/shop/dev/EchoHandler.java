package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import shop.platform.config.Env;

/** EchoHandler answers with what it received, so tests can see the event and context the runner built. */
public final class EchoHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    /** LAST is the last event and context seen, for assertions beyond the echoed fields. */
    static final AtomicReference<APIGatewayProxyRequestEvent> LAST = new AtomicReference<>();

    private final Env env;

    public EchoHandler(Env env) {
        this.env = env;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        LAST.set(event);
        if ("/goods/500".equals(event.getPath())) {
            throw new IllegalStateException("boom");
        }
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("resource", event.getResource());
        echo.put("path", event.getPath());
        echo.put("httpMethod", event.getHttpMethod());
        echo.put("pathParameters", event.getPathParameters());
        echo.put("authorizer", event.getRequestContext().getAuthorizer());
        echo.put("body", event.getBody());
        echo.put("functionName", context.getFunctionName());
        echo.put("memory", context.getMemoryLimitInMB());
        echo.put("remainingMillis", context.getRemainingTimeInMillis());
        echo.put("dbUrl", env.optional("DB_URL").orElse(""));
        echo.put("dbUser", env.optional("DB_USER").orElse(""));
        echo.put("dbSecretArn", env.optional("DB_SECRET_ARN").orElse(""));
        echo.put("idempotencyTable", env.optional("IDEMPOTENCY_TABLE").orElse(""));
        return new APIGatewayProxyResponseEvent().withStatusCode(200)
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withMultiValueHeaders(Map.of("Set-Cookie", List.of("a=1", "b=2")))
                .withBody(shop.platform.json.Json.write(echo));
    }
}
