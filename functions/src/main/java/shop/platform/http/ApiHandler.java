package shop.platform.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import shop.platform.error.ProblemException;

/**
 * ApiHandler is the base of every API Gateway handler: it routes the event through a
 * {@link Router}, maps errors to problem+json through {@link Problems}, and logs with the request
 * id. Subclasses only build their router; business rules live in services.
 */
public abstract class ApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private final Router router;

    /** Creates the handler around its routes. */
    protected ApiHandler(Router router) {
        this.router = router;
    }

    /** router returns the routes, for tests. */
    public Router router() {
        return router;
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        ApiRequest request = new ApiRequest(event);
        String requestId = context != null && context.getAwsRequestId() != null ? context.getAwsRequestId()
                : request.requestId();
        MDC.put("requestId", requestId);
        MDC.put("route", request.method() + " " + request.resource());
        try {
            return router.dispatch(request).toEvent("application/json");
        } catch (RuntimeException e) {
            var known = Problems.known(e);
            if (known.isPresent()) {
                ProblemException p = known.get();
                if (p.status() >= 500) {
                    LOG.warn("{} {} failed: {}", request.method(), request.resource(), p.detail(), e);
                } else {
                    LOG.info("{} {} rejected: {} {}", request.method(), request.resource(), p.status(), p.detail());
                }
                return ApiResponse.of(p.status(), Problems.body(p, event.getPath())).toEvent(Problems.CONTENT_TYPE);
            }
            LOG.error("{} {} failed unexpectedly", request.method(), request.resource(), e);
            return ApiResponse.of(500, Problems.internal(requestId)).toEvent(Problems.CONTENT_TYPE);
        } finally {
            MDC.clear();
        }
    }
}
