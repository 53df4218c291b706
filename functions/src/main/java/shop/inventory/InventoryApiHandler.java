package shop.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * InventoryApiHandler is InventoryApiFunction: stock levels (anyone reads; an admin counts, an admin or
 * the warehouse system adjusts), each goods' ledger of movements (admin or service), and reservations
 * of stock for orders (the order service reserves, extends, confirms and cancels).
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

    /** CountBody is the body of PUT /inventory/{goodsId}: the units counted on the shelf. */
    record CountBody(Integer onHand) {
    }

    /** AdjustmentBody is the body of POST /inventory/{goodsId}/adjustments. */
    record AdjustmentBody(Integer delta, String reason, String reference) {
    }

    /** ExtendBody is the body of POST /inventory/reservations/{orderSn}/extend. */
    record ExtendBody(Integer ttlSeconds) {
    }

    /** BatchBody is the body of POST /inventory/batch. */
    record BatchBody(List<Long> goodsIds) {
    }

    /** AdjustmentResponse is what an adjustment answers: its ledger record and the stock after it. */
    record AdjustmentResponse(Movement movement, StockLevel level) {
    }

    private static Router routes(InventoryService service) {
        return new Router()
                .route("PUT", "/inventory/{goodsId}", r -> {
                    Caller caller = r.caller().require(Caller.ADMIN);
                    r.rejectUnknownQuery(Set.of());
                    long goodsId = r.pathId("goodsId");
                    Long version = ifMatch(r);
                    JsonNode tree = r.bodyTree();
                    if (tree.has("stock")) {
                        throw new InvalidInputException("stock", "is no longer accepted: send onHand, the units counted"
                                + " on the shelf (reserved units included), with If-Match");
                    }
                    Integer onHand = r.body(CountBody.class).onHand();
                    StockLevel level = service.count(goodsId, onHand, version, caller.subject());
                    return new ApiResponse(200, level, Map.of("ETag", etag(level.version())));
                })
                .route("GET", "/inventory/{goodsId}", r -> {
                    r.rejectUnknownQuery(Set.of());
                    StockLevel level = service.stock(r.pathId("goodsId"));
                    return new ApiResponse(200, level, Map.of("ETag", etag(level.version())));
                })
                .route("POST", "/inventory/batch", r -> {
                    r.rejectUnknownQuery(Set.of());
                    return ApiResponse.ok(service.stocks(r.body(BatchBody.class).goodsIds()));
                })
                .route("POST", "/inventory/{goodsId}/adjustments", r -> {
                    Caller caller = requireAdminOrService(r);
                    r.rejectUnknownQuery(Set.of());
                    long goodsId = r.pathId("goodsId");
                    AdjustmentBody body = r.body(AdjustmentBody.class);
                    InventoryService.AdjustResult result = service.adjust(goodsId, body.delta(), body.reason(),
                            body.reference(), caller.roles().contains(Caller.ADMIN), caller.subject(),
                            r.header("Idempotency-Key").orElse(null));
                    Map<String, String> headers = new java.util.LinkedHashMap<>();
                    headers.put("Location", "/inventory/" + goodsId + "/movements");
                    headers.put("ETag", etag(result.level().version()));
                    if (result.replayed()) {
                        headers.put("Idempotent-Replayed", "true");
                    }
                    return new ApiResponse(201, new AdjustmentResponse(result.movement(), result.level()), headers);
                })
                .route("GET", "/inventory/{goodsId}/movements", r -> {
                    requireAdminOrService(r);
                    r.rejectUnknownQuery(Set.of("page", "pageSize"));
                    long goodsId = r.pathId("goodsId");
                    Long page = r.queryLong("page", Long.MIN_VALUE, Long.MAX_VALUE).orElse(null);
                    Long size = r.queryLong("pageSize", Long.MIN_VALUE, Long.MAX_VALUE).orElse(null);
                    return ApiResponse.ok(service.movements(goodsId, page, size));
                })
                .route("POST", "/inventory/reservations", r -> {
                    Caller caller = r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    InventoryService.ReserveResult result = service.reserve(r.body(ReserveRequest.class), caller.subject());
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
                    Caller caller = r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    requireNoBody(r);
                    return ApiResponse.ok(service.confirm(r.pathParam("orderSn"), caller.subject()));
                })
                .route("POST", "/inventory/reservations/{orderSn}/cancel", r -> {
                    Caller caller = r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    requireNoBody(r);
                    return ApiResponse.ok(service.cancel(r.pathParam("orderSn"), caller.subject()));
                })
                .route("POST", "/inventory/reservations/{orderSn}/extend", r -> {
                    r.caller().require(Caller.SERVICE);
                    r.rejectUnknownQuery(Set.of());
                    return ApiResponse.ok(service.extend(r.pathParam("orderSn"), r.body(ExtendBody.class).ttlSeconds()));
                });
    }

    /** requireAdminOrService lets a token with role admin or service through: 401 without a token, 403 without either. */
    private static Caller requireAdminOrService(ApiRequest r) {
        Caller caller = r.caller();
        if (caller.anonymous() || caller.roles().contains(Caller.ADMIN)) {
            return caller.require(Caller.ADMIN);
        }
        return caller.require(Caller.SERVICE);
    }

    /**
     * ifMatch reads the version a stock count was made against: {@code If-Match: 7} or the ETag form
     * {@code If-Match: "7"}; absent is null (the service answers 428); anything else is a 400.
     */
    static Long ifMatch(ApiRequest r) {
        Optional<String> header = r.header("If-Match");
        if (header.isEmpty()) {
            return null;
        }
        String v = header.get().strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        if (!v.matches("[0-9]{1,18}")) {
            throw new InvalidInputException("If-Match", "must be the stock's version, a whole number"
                    + " (the version of GET /inventory/{goodsId}, or its ETag)");
        }
        return Long.parseLong(v);
    }

    /** etag is the stock version as a strong entity tag. */
    private static String etag(long version) {
        return "\"" + version + "\"";
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
