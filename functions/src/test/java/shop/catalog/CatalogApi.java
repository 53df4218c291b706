package shop.catalog;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import shop.testing.OpenApiContract;
import shop.testing.TestStack;

/**
 * CatalogApi drives a {@link CatalogApiHandler} on the real local stack the way API Gateway would
 * (method, resource template, path, path and query parameters, headers, authorizer context) and
 * checks every response against docs/openapi.yaml.
 */
final class CatalogApi {
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    private static CatalogApiHandler shared;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** ADMIN is a signed-in caller with role admin; NOBODY is no caller; CUSTOMER a caller without roles. */
    static final Map<String, Object> ADMIN = Map.of("principalId", "admin-1", "roles", "admin");
    static final Map<String, Object> CUSTOMER = Map.of("principalId", "user-1", "roles", "customer");
    static final Map<String, Object> NOBODY = null;

    private final CatalogApiHandler handler;

    private CatalogApi(CatalogApiHandler handler) {
        this.handler = handler;
    }

    /** get returns the API over the JVM's shared handler (one pool for every catalog test class). */
    static synchronized CatalogApi get() {
        if (shared == null) {
            shared = new CatalogApiHandler(TestStack.get().env(Map.of()));
        }
        return new CatalogApi(shared);
    }

    /** over returns the API over a handler of the test's own (faults injected into its pool). */
    static CatalogApi over(CatalogApiHandler handler) {
        return new CatalogApi(handler);
    }

    CatalogApiHandler handler() {
        return handler;
    }

    /** Resp is a response with its body parsed. */
    record Resp(int status, JsonNode body, Map<String, String> headers, String raw) {
        String problemType() {
            return body.path("type").asText();
        }

        /** errorFields lists the fields of an invalid-input problem, comma-separated. */
        String errorFields() {
            StringBuilder sb = new StringBuilder();
            body.path("errors").forEach(e -> sb.append(sb.isEmpty() ? "" : ",").append(e.path("field").asText()));
            return sb.toString();
        }

        long id() {
            return body.path("id").asLong();
        }

        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    /** Call is one request being built. */
    final class Call {
        private final String method;
        private final String path;
        private final Map<String, String> query = new LinkedHashMap<>();
        private final Map<String, String> headers = new HashMap<>();
        private Map<String, Object> caller;
        private String body;

        private Call(String method, String path) {
            this.method = method;
            this.path = path;
        }

        Call query(String name, Object value) {
            query.put(name, String.valueOf(value));
            return this;
        }

        Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Call as(Map<String, Object> who) {
            this.caller = who;
            return this;
        }

        Call body(String json) {
            this.body = json;
            return this;
        }

        Call body(Object value) {
            try {
                this.body = JSON.writeValueAsString(value);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        Resp send() {
            return CatalogApi.this.send(event(method, path, query, headers, caller, body));
        }
    }

    Call call(String method, String path) {
        return new Call(method, path);
    }

    Resp get(String path) {
        return call("GET", path).send();
    }

    Resp post(String path, Object body) {
        return call("POST", path).as(ADMIN).body(body).send();
    }

    Resp put(String path, Object body) {
        return call("PUT", path).as(ADMIN).body(body).send();
    }

    Resp patch(String path, Object body) {
        return call("PATCH", path).as(ADMIN).body(body).send();
    }

    Resp delete(String path) {
        return call("DELETE", path).as(ADMIN).send();
    }

    /**
     * event builds an API Gateway proxy event for a concrete path such as {@code /goods/12}: the
     * resource template is found among the handler's routes.
     */
    APIGatewayProxyRequestEvent event(String method, String path, Map<String, String> query,
                                      Map<String, String> headers, Map<String, Object> caller, String body) {
        String resource = null;
        Map<String, String> pathParams = new HashMap<>();
        for (String route : handler.router().routes()) {
            String template = route.substring(route.indexOf(' ') + 1);
            Map<String, String> params = match(template, path);
            if (params != null && (resource == null || route.startsWith(method + " "))) {
                resource = template;
                pathParams = params;
            }
        }
        if (resource == null) {
            throw new IllegalArgumentException("no catalog route matches " + path);
        }
        var ctx = new APIGatewayProxyRequestEvent.ProxyRequestContext();
        ctx.setRequestId("test-" + System.nanoTime());
        ctx.setResourcePath(resource);
        ctx.setHttpMethod(method);
        if (caller != null) {
            ctx.setAuthorizer(new HashMap<>(caller));
        }
        Map<String, String> h = new HashMap<>(headers);
        if (body != null) {
            h.putIfAbsent("Content-Type", "application/json");
        }
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withResource(resource).withPath(path)
                .withPathParameters(pathParams.isEmpty() ? null : pathParams)
                .withQueryStringParameters(query.isEmpty() ? null : query).withHeaders(h).withBody(body)
                .withRequestContext(ctx).withIsBase64Encoded(false);
    }

    private static Map<String, String> match(String template, String path) {
        Matcher m = PARAM.matcher(template);
        StringBuilder regex = new StringBuilder("^");
        java.util.List<String> names = new java.util.ArrayList<>();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append('$');
        Matcher pm = Pattern.compile(regex.toString()).matcher(path);
        if (!pm.matches()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            params.put(names.get(i), pm.group(i + 1));
        }
        return params;
    }

    /** send runs an event through the handler and checks the response against the OpenAPI document. */
    Resp send(APIGatewayProxyRequestEvent event) {
        APIGatewayProxyResponseEvent out = handler.handleRequest(event, null);
        Map<String, String> headers = out.getHeaders() == null ? Map.of() : out.getHeaders();
        OpenApiContract.get().check(event.getHttpMethod(), event.getResource(), out.getStatusCode(),
                headers.get("Content-Type"), out.getBody());
        JsonNode body;
        try {
            body = out.getBody() == null ? JSON.nullNode() : JSON.readTree(out.getBody());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + out.getBody(), e);
        }
        return new Resp(out.getStatusCode(), body, headers, out.getBody());
    }
}
