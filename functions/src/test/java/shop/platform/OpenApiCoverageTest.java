package shop.platform;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import shop.stack.Template;
import shop.testing.OpenApiContract;

/**
 * docs/openapi.yaml describes exactly the API that template.yaml deploys: every Api event of every
 * function has an operation and every operation is such a route; public routes (no authorizer) say
 * {@code security: []} and protected ones need the bearer token and name their role; every
 * reference resolves. Whether the handlers' answers match the schemas is checked where they are
 * tested, through {@link OpenApiContract#checked}.
 */
class OpenApiCoverageTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Set<String> ROLES = Set.of("admin", "service");
    private static final Template TEMPLATE = Template.loadDefault();
    private final JsonNode doc = OpenApiContract.get().doc();

    /** Route is one Api event: its function and whether API Gateway lets it through without a token. */
    record Route(String function, boolean isPublic) {
    }

    /** templateRoutes maps {@code METHOD /path} of every Api event of every function to its route. */
    static Map<String, Route> templateRoutes() {
        Map<String, Route> routes = new TreeMap<>();
        TEMPLATE.resourcesOfType("AWS::Serverless::Function").forEach((function, resource) -> {
            Object events = Template.map(resource.get("Properties")).get("Events");
            if (events == null) {
                return;
            }
            Template.map(events).values().forEach(e -> {
                Map<String, Object> event = Template.map(e);
                if (!"Api".equals(event.get("Type"))) {
                    return;
                }
                Map<String, Object> p = Template.map(event.get("Properties"));
                String route = String.valueOf(p.get("Method")).toUpperCase(Locale.ROOT) + " " + p.get("Path");
                Object authorizer = p.get("Auth") == null ? null : Template.map(p.get("Auth")).get("Authorizer");
                if (authorizer == null) {
                    authorizer = defaultAuthorizer(p.get("RestApiId"));
                }
                Route previous = routes.put(route, new Route(function, authorizer == null || "NONE".equals(authorizer)));
                assertEquals(null, previous, route + " is an Api event of two functions");
            });
        });
        return routes;
    }

    /** defaultAuthorizer is the DefaultAuthorizer of the API an event is attached to (null for none). */
    private static Object defaultAuthorizer(Object restApiId) {
        if (restApiId == null) {
            return null; // SAM's implicit API, which has no authorizer unless Globals gives one
        }
        String api = String.valueOf(Template.map(restApiId).get("Ref"));
        Object auth = TEMPLATE.properties(api).get("Auth");
        return auth == null ? null : Template.map(auth).get("DefaultAuthorizer");
    }

    /** operations lists {@code METHOD /path} of every operation in the document. */
    private Set<String> operations() {
        Set<String> ops = new TreeSet<>();
        doc.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (METHODS.contains(op.getKey())) {
                ops.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return ops;
    }

    private JsonNode operation(String route) {
        String method = route.substring(0, route.indexOf(' ')).toLowerCase(Locale.ROOT);
        return doc.path("paths").path(route.substring(route.indexOf(' ') + 1)).path(method);
    }

    @Test
    void template_hasApiRoutesOfEveryApiFunction() {
        Set<String> functions = new TreeSet<>();
        templateRoutes().values().forEach(r -> functions.add(r.function()));
        assertEquals(Set.of("CatalogApiFunction", "HealthFunction", "InventoryApiFunction", "UploadsApiFunction"),
                functions, "the coverage check would pass vacuously if the template could not be read");
    }

    @Test
    void everyApiEventOfEveryFunction_hasAnOperation() {
        List<String> missing = new ArrayList<>();
        templateRoutes().forEach((route, r) -> {
            if (operation(route).isMissingNode()) {
                missing.add(route + " (" + r.function() + ")");
            }
        });
        assertEquals(List.of(), missing, "routes in template.yaml without an operation in docs/openapi.yaml");
    }

    @Test
    void everyOperation_isARouteInTheTemplate() {
        Set<String> stale = new TreeSet<>(operations());
        stale.removeAll(templateRoutes().keySet());
        assertEquals(Set.of(), stale, "operations in docs/openapi.yaml that no function in template.yaml serves");
    }

    @Test
    void bearerAuth_isTheDefault_andIsAJwtBearerScheme() {
        JsonNode scheme = doc.at("/components/securitySchemes/bearerAuth");
        assertEquals("http", scheme.path("type").asText());
        assertEquals("bearer", scheme.path("scheme").asText());
        assertEquals("JWT", scheme.path("bearerFormat").asText());
        JsonNode security = doc.path("security");
        assertEquals(1, security.size(), security.toString());
        assertTrue(security.get(0).has("bearerAuth"), security.toString());
    }

    @Test
    void publicRoutes_haveNoSecurity_andProtectedOnesNeedTheTokenAndNameTheirRole() {
        List<String> wrong = new ArrayList<>();
        templateRoutes().forEach((route, r) -> {
            JsonNode op = operation(route);
            if (op.isMissingNode()) {
                return; // reported by everyApiEventOfEveryFunction_hasAnOperation
            }
            JsonNode security = op.path("security");
            String role = op.path("x-required-role").asText("");
            if (r.isPublic()) {
                if (!security.isArray() || !security.isEmpty()) {
                    wrong.add(route + " is public in the template but lacks `security: []`");
                }
                if (!role.isEmpty()) {
                    wrong.add(route + " is public in the template but has x-required-role " + role);
                }
                return;
            }
            if (!security.isMissingNode() && (!security.isArray() || security.isEmpty()
                    || !security.findValues("bearerAuth").iterator().hasNext())) {
                wrong.add(route + " needs a token in the template but its security is " + security);
            }
            if (!ROLES.contains(role)) {
                wrong.add(route + " needs a token but its x-required-role is '" + role + "', not one of " + ROLES);
            } else if (!op.path("description").asText().contains("role `" + role + "`")) {
                wrong.add(route + " does not say in its description that it needs role `" + role + "`");
            }
            if (!op.path("responses").has("401") || !op.path("responses").has("403")) {
                wrong.add(route + " needs a token but does not list 401 and 403");
            }
        });
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyOperation_hasAUniqueOperationId_andOnlyDeclaredTags() {
        Set<String> declared = new HashSet<>(doc.path("tags").findValuesAsText("name"));
        Set<String> ids = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        for (String route : operations()) {
            JsonNode op = operation(route);
            String id = op.path("operationId").asText("");
            if (id.isEmpty() || !ids.add(id)) {
                wrong.add(route + " has a missing or repeated operationId '" + id + "'");
            }
            if (op.path("tags").isEmpty()) {
                wrong.add(route + " has no tag");
            }
            op.path("tags").forEach(t -> {
                if (!declared.contains(t.asText())) {
                    wrong.add(route + " has the undeclared tag " + t.asText());
                }
            });
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyReference_resolves() {
        List<String> broken = new ArrayList<>();
        collectBrokenRefs(doc, "", broken);
        assertEquals(List.of(), broken);
    }

    private void collectBrokenRefs(JsonNode node, String at, List<String> broken) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.asText().startsWith("#/") || doc.at(ref.asText().substring(1)).isMissingNode())) {
                broken.add(at + ": " + ref.asText());
            }
            node.properties().forEach(e -> collectBrokenRefs(e.getValue(), at + "/" + e.getKey(), broken));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectBrokenRefs(node.get(i), at + "/" + i, broken);
            }
        }
    }

    /**
     * A plain scalar with a comma inside a flow mapping ({@code { description: a, b. }}) silently
     * splits into a key with no value; no member of the document is ever meant to be null.
     */
    @Test
    void noMember_isNull() {
        List<String> nulls = new ArrayList<>();
        collectNulls(doc, "", nulls);
        assertEquals(List.of(), nulls, "quote scalars that contain a comma inside { ... }");
    }

    private static void collectNulls(JsonNode node, String at, List<String> nulls) {
        if (node.isNull()) {
            nulls.add(at);
        }
        if (node.isObject()) {
            node.properties().forEach(e -> collectNulls(e.getValue(), at + "/" + e.getKey(), nulls));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectNulls(node.get(i), at + "/" + i, nulls);
            }
        }
    }

    @Test
    void contractCheck_failsOnABodyThatDoesNotMatchTheSchema() {
        OpenApiContract c = OpenApiContract.get();
        assertDoesNotThrow(() -> c.check("GET", "/brands/{id}", 200, "application/json",
                "{\"id\": 1, \"name\": \"x\", \"logo\": \"\"}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/brands/{id}", 200,
                "application/json", "{\"id\": 1, \"name\": \"x\"}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/brands/{id}", 200,
                "application/json", "{\"id\": 1, \"name\": \"x\", \"logo\": \"\", \"extra\": 1}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/brands/{id}", 418,
                "application/json", "{}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/goods", 200, "application/json",
                "{\"total\": 0, \"page\": 1, \"pageSize\": 20, \"items\": [], \"more\": true}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/brands/{id}", 404, "application/json",
                "{\"type\": \"https://shop.example/problems/not-found\", \"title\": \"Not found\", \"status\": 404, \"detail\": \"x\"}"));
    }

    @Test
    void contractCheck_holdsTheInventoryProblemsToTheirExtensions() {
        OpenApiContract c = OpenApiContract.get();
        String shortage = "{\"type\": \"https://shop.example/problems/insufficient-stock\", \"title\": \"Insufficient stock\","
                + " \"status\": 409, \"detail\": \"x\"%s}";
        assertDoesNotThrow(() -> c.check("POST", "/inventory/reservations", 409, "application/problem+json",
                shortage.formatted(", \"shortages\": [{\"goodsId\": 1, \"requested\": 2, \"available\": 0}]")));
        assertThrows(AssertionError.class, () -> c.check("POST", "/inventory/reservations", 409,
                "application/problem+json", shortage.formatted("")));
        String returned = "{\"type\": \"https://shop.example/problems/reservation-returned\", \"title\": \"t\","
                + " \"detail\": \"x\", \"orderSn\": \"o1\", %s}";
        String reservation = "\"reservation\": {\"orderSn\": \"o1\", \"status\": \"RETURNED\", \"items\": [{\"goodsId\": 1,"
                + " \"num\": 2}], \"expiresAt\": \"2026-12-06T10:00:00Z\", \"createdAt\": \"2026-12-06T09:45:00Z\","
                + " \"settledAt\": \"2026-12-06T09:50:00Z\", \"returnReason\": \"cancelled\"}";
        assertDoesNotThrow(() -> c.check("POST", "/inventory/reservations/{orderSn}/confirm", 409,
                "application/problem+json", returned.formatted("\"status\": 409, \"reservationStatus\": \"RETURNED\", "
                        + reservation)));
        assertThrows(AssertionError.class, () -> c.check("POST", "/inventory/reservations/{orderSn}/confirm", 409,
                "application/problem+json", returned.formatted("\"status\": 409, \"reservationStatus\": \"RETURNED\"")),
                "a replayed or refused reservation carries the reservation");
        assertThrows(AssertionError.class, () -> c.check("POST", "/inventory/reservations/{orderSn}/confirm", 409,
                "application/problem+json", returned.formatted("\"status\": \"RETURNED\"")));
    }

    @Test
    void contractCheck_holdsUploadsAndHealthToTheirStates() {
        OpenApiContract c = OpenApiContract.get();
        String id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assertDoesNotThrow(() -> c.check("GET", "/uploads/{uploadId}", 200, "application/json",
                "{\"uploadId\": \"" + id + "\", \"status\": \"STORED\", \"imageUrl\": \"https://img.example/x.png\"}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/uploads/{uploadId}", 200, "application/json",
                "{\"uploadId\": \"" + id + "\", \"status\": \"STORED\"}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/uploads/{uploadId}", 200, "application/json",
                "{\"uploadId\": \"" + id + "\", \"status\": \"PENDING\", \"reason\": \"x\"}"));
        String checks = "\"checks\": {\"database\": {\"status\": \"UP\", \"latencyMs\": 1},"
                + " \"s3\": {\"status\": \"UP\", \"latencyMs\": 1}, \"dynamodb\": {\"status\": \"UP\", \"latencyMs\": 1}}";
        String at = "\"checkedAt\": \"2026-01-01T00:00:00Z\", ";
        assertDoesNotThrow(() -> c.check("GET", "/health/details", 200, "application/json",
                "{\"status\": \"UP\", " + at + "\"down\": [], " + checks + "}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/health/details", 200, "application/json",
                "{\"status\": \"UP\", " + at + "\"down\": [\"s3\"], " + checks + "}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/health/details", 200, "application/json",
                "{\"status\": \"DOWN\", " + at + "\"down\": [\"s3\"], " + checks + "}"));
        assertDoesNotThrow(() -> c.check("GET", "/health", 200, "application/json", "{\"status\": \"DEGRADED\"}"));
        assertThrows(AssertionError.class, () -> c.check("GET", "/health", 200, "application/json",
                "{\"status\": \"UP\", \"down\": [], " + checks + "}"), "no detail for anonymous callers");
        assertThrows(AssertionError.class, () -> c.check("GET", "/health", 503, "application/json", "{\"status\": \"UP\"}"));
        assertFalse(c.hasOperation("GET", "/uploads"), "a route no function serves");
    }
}
