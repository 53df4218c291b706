package shop.platform.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import shop.platform.error.ProblemException;

/**
 * Router dispatches on the route API Gateway matched ({@code httpMethod} plus {@code resource},
 * e.g. {@code GET /goods/{id}}), so a handler never parses paths itself. A known path with another
 * method is a 405; an unknown one a 404.
 */
public final class Router {
    private final Map<String, Function<ApiRequest, ApiResponse>> routes = new LinkedHashMap<>();

    /** route registers a handler for a method and resource template. */
    public Router route(String method, String resource, Function<ApiRequest, ApiResponse> handler) {
        String key = method.toUpperCase(java.util.Locale.ROOT) + " " + resource;
        if (routes.putIfAbsent(key, handler) != null) {
            throw new IllegalArgumentException("route registered twice: " + key);
        }
        return this;
    }

    /** routes returns every registered {@code METHOD /resource}, for tests against the template. */
    public java.util.Set<String> routes() {
        return java.util.Collections.unmodifiableSet(routes.keySet());
    }

    /** dispatch runs the handler for the request's route. */
    public ApiResponse dispatch(ApiRequest request) {
        var handler = routes.get(request.method() + " " + request.resource());
        if (handler != null) {
            return handler.apply(request);
        }
        boolean pathKnown = routes.keySet().stream().anyMatch(k -> k.endsWith(" " + request.resource()));
        if (pathKnown) {
            throw new ProblemException(405, "method-not-allowed", "Method not allowed",
                    request.method() + " is not allowed on " + request.resource(), Map.of());
        }
        throw new ProblemException(404, "not-found", "Not found", "No route " + request.resource(), Map.of());
    }
}
