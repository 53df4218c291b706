package shop.platform.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import shop.platform.deadline.Deadline;
import shop.platform.error.ProblemException;
import shop.platform.metrics.Metrics;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * ApiHandler is the base of every API Gateway handler: it routes the event through a
 * {@link Router} within the invocation's {@link Deadline}, maps errors to problem+json through
 * {@link Problems} (with {@code Retry-After} when the problem says when to retry), puts the
 * allowed CORS origin ({@link Cors}) on every response, and logs with the request id. Subclasses
 * only build their router; business rules live in services.
 */
public abstract class ApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private final Router router;
    private final Cors cors;

    /** Creates the handler around its routes, open to any origin (tests). */
    protected ApiHandler(Router router) {
        this(router, Cors.ANY);
    }

    /** Creates the handler around its routes, answering browsers of the given origin. */
    protected ApiHandler(Router router, Cors cors) {
        this.router = router;
        this.cors = cors;
    }

    /**
     * primeForSnapStart runs these requests through the handler before a SnapStart snapshot (the
     * routes' code, Jackson, the JDBC driver and SDK clients get loaded and warm), then empties the
     * pools so no connection is frozen into the snapshot. Use read-only requests.
     */
    protected final void primeForSnapStart(String name, java.util.List<APIGatewayProxyRequestEvent> reads,
                                           javax.sql.DataSource... pools) {
        primeForSnapStart(name, reads, java.util.List.of(), pools);
    }

    /**
     * primeForSnapStart as above, and also drops or renews {@code state} around the snapshot (see
     * {@link shop.platform.snapstart.SnapStartPriming} for which side of the line each field is on).
     */
    protected final void primeForSnapStart(String name, java.util.List<APIGatewayProxyRequestEvent> reads,
                                           java.util.List<? extends shop.platform.snapstart.SnapshotSensitive> state,
                                           javax.sql.DataSource... pools) {
        shop.platform.snapstart.SnapStartPriming.register(name, () -> reads.forEach(r -> handleRequest(r, null)),
                state, pools);
    }

    /** primingRequest builds a synthetic request for {@link #primeForSnapStart}; role may be null. */
    protected static APIGatewayProxyRequestEvent primingRequest(String method, String resource,
                                                                java.util.Map<String, String> pathParameters,
                                                                String role) {
        var context = new APIGatewayProxyRequestEvent.ProxyRequestContext().withRequestId("snapstart-priming")
                .withResourcePath(resource).withHttpMethod(method);
        if (role != null) {
            context.setAuthorizer(java.util.Map.of("principalId", "snapstart-priming", "roles", role));
        }
        String path = resource;
        for (var p : pathParameters.entrySet()) {
            path = path.replace("{" + p.getKey() + "}", p.getValue());
        }
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withResource(resource).withPath(path)
                .withPathParameters(pathParameters).withHeaders(java.util.Map.of("Accept", "application/json"))
                .withRequestContext(context);
    }

    /** router returns the routes, for tests. */
    public Router router() {
        return router;
    }

    /**
     * handleRequest routes one request. Its log lines carry Lambda's context (Powertools: request id,
     * function name and version, cold start, X-Ray trace id) and the route; what it recorded in
     * {@link Metrics} is written when it ends, under {@link #metricsService()}.
     */
    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> Metrics.around(metricsService(), () -> handle(event, context)));
    }

    /**
     * metricsService is the {@code Service} dimension of this function's metrics: the class name
     * without its Handler suffix, in kebab case ({@code CatalogApiHandler} is {@code catalog}).
     */
    protected String metricsService() {
        String name = getClass().getSimpleName().replaceFirst("(Api)?Handler$", "");
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private APIGatewayProxyResponseEvent handle(APIGatewayProxyRequestEvent event, Context context) {
        long started = System.nanoTime();
        ApiRequest request = new ApiRequest(event);
        MDC.put("route", request.method() + " " + request.resource());
        try {
            APIGatewayProxyResponseEvent response = answer(request, event, context);
            LOG.debug("{} {}: {} in {} ms", request.method(), request.resource(), response.getStatusCode(),
                    (System.nanoTime() - started) / 1_000_000);
            return response;
        } finally {
            MDC.remove("route");
        }
    }

    private APIGatewayProxyResponseEvent answer(ApiRequest request, APIGatewayProxyRequestEvent event, Context context) {
        String requestId = context != null && context.getAwsRequestId() != null ? context.getAwsRequestId()
                : request.requestId();
        // Every wait below takes its bound from what is left of this invocation (see Deadline).
        return Deadline.forInvocation(context).run(() -> answer(request, event, requestId));
    }

    private APIGatewayProxyResponseEvent answer(ApiRequest request, APIGatewayProxyRequestEvent event, String requestId) {
        try {
            return router.dispatch(request).toEvent("application/json", cors);
        } catch (RuntimeException e) {
            var known = Problems.known(e);
            if (known.isPresent()) {
                ProblemException p = known.get();
                if (p.status() >= 500) {
                    Metrics.get().count(p.status() == 503 ? "DependencyUnavailable" : "ServerErrors");
                    LOG.warn("{} {} failed: {}", request.method(), request.resource(), p.detail(), e);
                } else {
                    LOG.info("{} {} rejected: {} {}", request.method(), request.resource(), p.status(), p.detail());
                }
                ApiResponse response = ApiResponse.of(p.status(), Problems.body(p, event.getPath()));
                if (p.retryAfter().isPresent()) {
                    long seconds = Math.max(1, p.retryAfter().get().toSeconds());
                    response = response.withHeader("Retry-After", Long.toString(seconds));
                }
                return response.toEvent(Problems.CONTENT_TYPE, cors);
            }
            Metrics.get().count("UnexpectedErrors");
            LOG.error("{} {} failed unexpectedly", request.method(), request.resource(), e);
            return ApiResponse.of(500, Problems.internal(requestId)).toEvent(Problems.CONTENT_TYPE, cors);
        }
    }
}
