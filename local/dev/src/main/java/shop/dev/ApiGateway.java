package shop.dev;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ApiGateway answers HTTP requests the way the deployed REST API (proxy integration) does: it finds
 * the route in {@code template.yaml}, answers CORS preflights like SAM's generated OPTIONS methods,
 * runs the route's authorizer, builds the proxy event, invokes the function in-process and turns
 * its proxy response into HTTP. Errors it answers itself follow API Gateway's defaults, or the
 * template's GatewayResponses where it customises them:
 * <ul>
 *   <li>unknown path, or a path without that method: 403 {@code {"message":"Missing Authentication Token"}};</li>
 *   <li>missing or malformed token, or the authorizer failing with "Unauthorized": UNAUTHORIZED (401);</li>
 *   <li>a policy that does not allow the method ARN: ACCESS_DENIED (403);</li>
 *   <li>the function throwing or returning a malformed response: 502 {@code {"message": "Internal server error"}};</li>
 *   <li>the handler class not written yet: 501 problem+json naming the class (local only).</li>
 * </ul>
 */
final class ApiGateway {
    private static final Logger LOG = LoggerFactory.getLogger("shop.dev.api");

    private final ApiConfig api;
    private final ApiRoutes routes;
    private final LambdaFunctions functions;
    private final TokenAuthorization authorization;
    private final Clock clock;

    ApiGateway(ApiConfig api, ApiRoutes routes, LambdaFunctions functions, Clock clock) {
        this.api = api;
        this.routes = routes;
        this.functions = functions;
        this.authorization = new TokenAuthorization(functions, clock);
        this.clock = clock;
    }

    /** routes returns the routes it serves. */
    ApiRoutes routes() {
        return routes;
    }

    /** handle answers one request. */
    HttpReply handle(HttpCall request) {
        long t0 = System.nanoTime();
        String requestId = LambdaFunctions.newRequestId();
        ApiRoutes.Match match = routes.match(request.method(), request.path());
        String target = "-";
        HttpReply reply;
        try {
            reply = switch (match) {
                case ApiRoutes.Match.NoMethod m when "OPTIONS".equals(request.method()) && api.cors().isPresent() ->
                        preflight(api.cors().get());
                case ApiRoutes.Match.NoMethod m -> gatewayResponse("MISSING_AUTHENTICATION_TOKEN");
                case ApiRoutes.Match.NoResource n -> gatewayResponse("MISSING_AUTHENTICATION_TOKEN");
                case ApiRoutes.Match.Found found -> {
                    target = found.route().functionId();
                    yield invokeRoute(request, found, requestId);
                }
            };
        } catch (RuntimeException e) {
            LOG.error("{} {} failed in the runner", request.method(), request.path(), e);
            reply = HttpReply.of(500, Map.of("Content-Type", "application/json"), "{\"message\": \"Internal server error\"}");
        }
        reply.headers().putIfAbsent("x-amzn-RequestId", List.of(requestId));
        LOG.info("{} {} -> {} {} {} ms", request.method(), request.path(), reply.status(), target,
                (System.nanoTime() - t0) / 1_000_000);
        return reply;
    }

    private HttpReply invokeRoute(HttpCall request, ApiRoutes.Match.Found found, String requestId) {
        ApiRoutes.Route route = found.route();
        Map<String, String> authorizerContext = null;
        if (route.authorizer() != null) {
            ApiConfig.TokenAuthorizer authorizer = api.authorizers().get(route.authorizer());
            if (authorizer == null) {
                throw new IllegalStateException("route " + route.eventId() + " names authorizer " + route.authorizer()
                        + ", which the API does not define");
            }
            TokenAuthorization.Outcome outcome = authorization.authorize(authorizer, request, methodArn(request));
            switch (outcome) {
                case TokenAuthorization.Outcome.Refused r -> {
                    return gatewayResponse(r.gatewayResponse());
                }
                case TokenAuthorization.Outcome.Missing m -> {
                    return notImplemented(m.message());
                }
                case TokenAuthorization.Outcome.Allowed a -> authorizerContext = a.context();
            }
        }
        String event = ProxyEvent.json(request, route, found.pathParameters(), api.stage(), requestId, clock.instant(),
                authorizerContext);
        String output;
        try {
            output = functions.invoke(route.functionId(), event, requestId);
        } catch (LambdaFunctions.HandlerMissingException e) {
            return notImplemented(e.getMessage());
        } catch (LambdaFunctions.FunctionErrorException e) {
            LOG.error("{} failed: {}: {}", route.functionId(), e.errorType(), e.getMessage(), e.getCause());
            return internalServerError();
        }
        return proxyResponse(route.functionId(), output);
    }

    /** methodArn is the ARN API Gateway passes to the authorizer: api/stage/METHOD/path. */
    String methodArn(HttpCall request) {
        return "arn:aws:execute-api:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT + ":" + LocalAws.API_ID + "/"
                + api.stage() + "/" + request.method() + request.path();
    }

    private HttpReply proxyResponse(String functionId, String output) {
        JsonNode root;
        try {
            root = ProxyEvent.JSON.readTree(output);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject() || !root.path("statusCode").canConvertToInt()
                || (root.has("body") && !root.get("body").isNull() && !root.get("body").isTextual())) {
            LOG.error("{} returned a malformed Lambda proxy response (API Gateway answers 502): {}", functionId, output);
            return internalServerError();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        JsonNode multi = root.path("multiValueHeaders");
        for (Iterator<Map.Entry<String, JsonNode>> it = multi.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            headers.put(e.getKey(), values);
        }
        // Where both maps name a header, API Gateway keeps the multi-value one.
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase(e.getKey()))) {
                headers.put(e.getKey(), new ArrayList<>(List.of(e.getValue().asText())));
            }
        }
        if (headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            headers.put("Content-Type", List.of("application/json"));
        }
        JsonNode body = root.path("body");
        byte[] bytes = body.isTextual()
                ? (root.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(body.asText())
                        : body.asText().getBytes(StandardCharsets.UTF_8))
                : new byte[0];
        return new HttpReply(root.get("statusCode").asInt(), headers, bytes);
    }

    private HttpReply preflight(ApiConfig.Cors cors) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Access-Control-Allow-Origin", cors.allowOrigin());
        putIfSet(headers, "Access-Control-Allow-Methods", cors.allowMethods());
        putIfSet(headers, "Access-Control-Allow-Headers", cors.allowHeaders());
        putIfSet(headers, "Access-Control-Max-Age", cors.maxAge());
        return mutable(HttpReply.of(200, headers, ""));
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (value != null && !value.isEmpty()) {
            headers.put(name, value);
        }
    }

    /** gatewayResponse answers with the template's customised response of that type, else API Gateway's default. */
    HttpReply gatewayResponse(String type) {
        ApiConfig.GatewayResponse custom = api.gatewayResponses().get(type);
        if (custom == null) {
            String fallback = defaultStatus(type) >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX";
            ApiConfig.GatewayResponse general = api.gatewayResponses().get(fallback);
            if (general != null) {
                custom = new ApiConfig.GatewayResponse(defaultStatus(type), general.headers(), general.contentType(),
                        general.body());
            }
        }
        if (custom == null) {
            return mutable(HttpReply.of(defaultStatus(type), Map.of("Content-Type", "application/json"), defaultBody(type)));
        }
        Map<String, String> headers = new LinkedHashMap<>(custom.headers());
        headers.put("Content-Type", custom.contentType());
        headers.put("x-amzn-ErrorType", errorType(type));
        int status = custom.status() == 0 ? defaultStatus(type) : custom.status();
        return mutable(HttpReply.of(status, headers, custom.body() == null ? defaultBody(type) : custom.body()));
    }

    private static int defaultStatus(String type) {
        return switch (type) {
            case "UNAUTHORIZED" -> 401;
            case "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN" -> 403;
            default -> 500;
        };
    }

    private static String defaultBody(String type) {
        return switch (type) {
            case "UNAUTHORIZED" -> "{\"message\":\"Unauthorized\"}";
            case "ACCESS_DENIED" -> "{\"Message\":\"User is not authorized to access this resource\"}";
            case "MISSING_AUTHENTICATION_TOKEN" -> "{\"message\":\"Missing Authentication Token\"}";
            default -> "{\"message\": null}";
        };
    }

    private static String errorType(String type) {
        return switch (type) {
            case "UNAUTHORIZED" -> "UnauthorizedException";
            case "ACCESS_DENIED" -> "AccessDeniedException";
            case "MISSING_AUTHENTICATION_TOKEN" -> "MissingAuthenticationTokenException";
            default -> "AuthorizerConfigurationException";
        };
    }

    private static HttpReply internalServerError() {
        return mutable(HttpReply.of(502, Map.of("Content-Type", "application/json"), "{\"message\": \"Internal server error\"}"));
    }

    private static HttpReply notImplemented(String detail) {
        String body = ProxyEvent.JSON.createObjectNode()
                .put("type", "https://shop.example/problems/not-implemented")
                .put("title", "Not Implemented")
                .put("status", 501)
                .put("detail", detail + " (the local runner answers 501 until it lands)")
                .toString();
        return mutable(HttpReply.of(501, Map.of("Content-Type", "application/problem+json"), body));
    }

    private static HttpReply mutable(HttpReply reply) {
        return new HttpReply(reply.status(), new LinkedHashMap<>(reply.headers()), reply.body());
    }
}
