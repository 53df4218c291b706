package shop.inventory;

import java.util.List;
import java.util.Set;
import shop.platform.auth.Caller;
import shop.platform.config.Env;
import shop.platform.error.InvalidInputException;
import shop.platform.http.ApiHandler;
import shop.platform.http.ApiRequest;
import shop.platform.http.ApiResponse;
import shop.platform.http.Cors;
import shop.platform.http.Router;

/**
 * InventoryApiHandler is InventoryApiFunction: stock levels (admin sets, anyone reads) and
 * reservations of stock for orders (the order service reserves, confirms and cancels).
 */
public final class InventoryApiHandler extends ApiHandler implements AutoCloseable {
    private final InventoryService service;
    private final AutoCloseable resources;
    private final InventoryMetricsPublisher metricsPublisher;

    /** Lambda entry: wires from the process environment. */
    public InventoryApiHandler() {
        this(Env.system());
    }

    /** Local runner and tests: wires from the given environment. */
    public InventoryApiHandler(Env env) {
        this(InventoryWiring.api(env), Cors.from(env));
    }

    private InventoryApiHandler(InventoryWiring.Wired wired, Cors cors) {
        this(wired.service(), wired.resources(), System.out::println, cors);
        // Read paths only: no lock is taken, so no Redis connection exists at the snapshot. The lock's
        // value prefix is drawn again after each restore (RedLockOrderLock.afterRestore).
        primeForSnapStart("inventory-api", java.util.List.of(
                primingRequest("GET", "/inventory/{goodsId}", java.util.Map.of("goodsId", "1"), null)),
                wired.snapshotState(), wired.pool());
    }

    /** Tests: a handler around a built service. */
    InventoryApiHandler(InventoryService service, AutoCloseable resources) {
        this(service, resources, System.out::println);
    }

    /** Tests: a handler whose metric lines go to {@code metricsSink} instead of stdout. */
    InventoryApiHandler(InventoryService service, AutoCloseable resources, java.util.function.Consumer<String> metricsSink) {
        this(service, resources, metricsSink, Cors.ANY);
    }

    private InventoryApiHandler(InventoryService service, AutoCloseable resources,
                                java.util.function.Consumer<String> metricsSink, Cors cors) {
        super(routes(service), cors);
        this.service = service;
        this.resources = resources;
        this.metricsPublisher = new InventoryMetricsPublisher(service, metricsSink, java.time.Clock.systemUTC());
    }

    /** Handles the request, then publishes the lock and retry metrics it changed (CloudWatch EMF). */
    @Override
    public com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent handleRequest(
            com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent event,
            com.amazonaws.services.lambda.runtime.Context context) {
        try {
            return super.handleRequest(event, context);
        } finally {
            metricsPublisher.publish();
        }
    }

    /** service is the service behind the routes, for tests. */
    InventoryService service() {
        return service;
    }

    /** StockBody is the body of PUT /inventory/{goodsId}. */
    record StockBody(Integer stock) {
    }

    /** BatchBody is the body of POST /inventory/batch. */
    record BatchBody(List<Long> goodsIds) {
    }

    private static Router routes(InventoryService service) {
        return new Router()
                .route("PUT", "/inventory/{goodsId}", r -> {
                    r.caller().require(Caller.ADMIN);
                    r.rejectUnknownQuery(Set.of());
                    long goodsId = r.pathId("goodsId");
                    return ApiResponse.ok(service.setStock(goodsId, r.body(StockBody.class).stock()));
                })
                .route("GET", "/inventory/{goodsId}", r -> {
                    r.rejectUnknownQuery(Set.of());
                    return ApiResponse.ok(service.stock(r.pathId("goodsId")));
                })
                .route("POST", "/inventory/batch", r -> {
                    r.rejectUnknownQuery(Set.of());
                    return ApiResponse.ok(service.stocks(r.body(BatchBody.class).goodsIds()));
                })
                .route("POST", "/inventory/reservations", r -> {
                    r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    InventoryService.ReserveResult result = service.reserve(r.body(ReserveRequest.class));
                    Reservation reservation = result.reservation();
                    return result.created()
                            ? ApiResponse.created(reservation, "/inventory/reservations/" + reservation.orderSn())
                            : ApiResponse.ok(reservation);
                })
                .route("GET", "/inventory/reservations/{orderSn}", r -> {
                    r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    return ApiResponse.ok(service.get(r.pathParam("orderSn")));
                })
                .route("POST", "/inventory/reservations/{orderSn}/confirm", r -> {
                    r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    requireNoBody(r);
                    return ApiResponse.ok(service.confirm(r.pathParam("orderSn")));
                })
                .route("POST", "/inventory/reservations/{orderSn}/cancel", r -> {
                    r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    requireNoBody(r);
                    return ApiResponse.ok(service.cancel(r.pathParam("orderSn")));
                });
    }

    /** Confirm and cancel take no body; an empty object is tolerated, anything else is a 400. */
    private static void requireNoBody(ApiRequest r) {
        String body = r.bodyText().strip();
        if (!body.isEmpty() && !r.bodyTree().isEmpty()) {
            throw new InvalidInputException("", "this route takes no body");
        }
    }

    /** close releases the pool and the lock's clients (tests, the local runner). */
    @Override
    public void close() throws Exception {
        resources.close();
    }
}
