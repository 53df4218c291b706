package shop.dev;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import shop.stack.Template;

/**
 * ApiRoutes is the REST API's resource tree as {@code template.yaml} declares it: every
 * {@code Api} event of every function whose {@code RestApiId} is the API. Matching follows API
 * Gateway: a literal segment beats a {@code {param}}, which beats a greedy {@code {proxy+}}; the
 * method is looked up only on the one resource that matched, so a path whose resource lacks the
 * method is not retried against a less specific resource.
 */
final class ApiRoutes {
    /**
     * Route is one method on one resource.
     *
     * @param functionId logical id of the function behind it
     * @param eventId    the event's name in the template ({@code GetGoodsId})
     * @param method     HTTP method, upper case, or {@code ANY}
     * @param path       the resource path with its {@code {params}}
     * @param authorizer the authorizer's name, or null for a public route
     */
    record Route(String functionId, String eventId, String method, String path, String authorizer) {
    }

    /** Match is the outcome of looking up a request. */
    sealed interface Match {
        /** Found is a route with the path parameters taken from the request path (decoded). */
        record Found(Route route, Map<String, String> pathParameters) implements Match {
        }

        /** NoMethod means the resource exists but not with this method (API Gateway: 403 Missing Authentication Token). */
        record NoMethod(String resourcePath, Set<String> methods) implements Match {
        }

        /** NoResource means no resource matches the path (also 403 Missing Authentication Token). */
        record NoResource() implements Match {
        }
    }

    private final List<Route> routes;
    private final List<Resource> resources;

    ApiRoutes(List<Route> routes) {
        this.routes = List.copyOf(routes);
        Map<String, List<Route>> byPath = new LinkedHashMap<>();
        for (Route r : routes) {
            byPath.computeIfAbsent(r.path(), p -> new ArrayList<>()).add(r);
        }
        this.resources = byPath.entrySet().stream().map(e -> new Resource(e.getKey(), e.getValue())).toList();
    }

    /** fromTemplate collects the Api events that belong to the API {@code api}. */
    static ApiRoutes fromTemplate(Template template, ApiConfig api) {
        List<Route> routes = new ArrayList<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((functionId, resource) -> {
            Map<String, Object> props = Template.map(resource.get("Properties"));
            Template.map(props.get("Events")).forEach((eventId, raw) -> {
                Map<String, Object> event = Template.map(raw);
                if (!"Api".equals(event.get("Type"))) {
                    return;
                }
                Map<String, Object> p = Template.map(event.get("Properties"));
                Object restApi = p.get("RestApiId");
                String apiId = restApi instanceof Map<?, ?> m ? String.valueOf(m.get("Ref")) : String.valueOf(restApi);
                if (!api.logicalId().equals(apiId)) {
                    return;
                }
                String method = String.valueOf(p.get("Method")).toUpperCase(Locale.ROOT);
                Object authorizer = Template.map(p.get("Auth")).get("Authorizer");
                String auth = authorizer == null ? api.defaultAuthorizer()
                        : "NONE".equals(authorizer) ? null : String.valueOf(authorizer);
                routes.add(new Route(functionId, eventId, method, String.valueOf(p.get("Path")), auth));
            });
        });
        return new ApiRoutes(routes);
    }

    /** all returns every route, in template order. */
    List<Route> all() {
        return routes;
    }

    /** match looks up a request by method and raw (still percent-encoded) path. */
    Match match(String method, String rawPath) {
        List<String> segments = segments(rawPath);
        Resource best = null;
        Map<String, String> bestParams = null;
        for (Resource resource : resources) {
            Map<String, String> params = resource.bind(segments);
            if (params != null && (best == null || Resource.SPECIFICITY.compare(resource, best) > 0)) {
                best = resource;
                bestParams = params;
            }
        }
        if (best == null) {
            return new Match.NoResource();
        }
        String m = method.toUpperCase(Locale.ROOT);
        List<Route> onResource = best.routes;
        Optional<Route> route = onResource.stream().filter(r -> r.method().equals(m)).findFirst()
                .or(() -> onResource.stream().filter(r -> r.method().equals("ANY")).findFirst());
        if (route.isEmpty()) {
            Set<String> methods = new LinkedHashSet<>();
            onResource.forEach(r -> methods.add(r.method()));
            return new Match.NoMethod(best.path, methods);
        }
        return new Match.Found(route.get(), bestParams);
    }

    private static List<String> segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? List.of() : Arrays.asList(p.split("/", -1));
    }

    /** decode percent-decodes a path segment; a '+' stays a '+' in a path. */
    static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** One resource path and the methods on it. */
    private static final class Resource {
        /** Literal segments beat parameters, parameters beat greedy ones, compared left to right. */
        static final Comparator<Resource> SPECIFICITY = (a, b) -> {
            for (int i = 0; i < Math.min(a.parts.size(), b.parts.size()); i++) {
                int c = Integer.compare(rank(a.parts.get(i)), rank(b.parts.get(i)));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.parts.size(), b.parts.size());
        };

        final String path;
        final List<String> parts;
        final List<Route> routes;

        Resource(String path, List<Route> routes) {
            this.path = path;
            this.parts = segments(path);
            this.routes = routes;
        }

        private static int rank(String part) {
            return part.endsWith("+}") ? 0 : part.startsWith("{") ? 1 : 2;
        }

        /** bind returns the path parameters when the request segments fit this resource, else null. */
        Map<String, String> bind(List<String> request) {
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < parts.size(); i++) {
                String part = parts.get(i);
                if (part.startsWith("{") && part.endsWith("+}")) {
                    if (i != parts.size() - 1 || request.size() <= i) {
                        return null;
                    }
                    List<String> rest = request.subList(i, request.size()).stream().map(ApiRoutes::decode).toList();
                    params.put(part.substring(1, part.length() - 2), String.join("/", rest));
                    return params;
                }
                if (i >= request.size()) {
                    return null;
                }
                String value = request.get(i);
                if (part.startsWith("{") && part.endsWith("}")) {
                    if (value.isEmpty()) {
                        return null;
                    }
                    params.put(part.substring(1, part.length() - 1), decode(value));
                } else if (!part.equals(decode(value))) {
                    return null;
                }
            }
            return request.size() == parts.size() ? params : null;
        }
    }
}
