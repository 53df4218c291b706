package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiRoutesTest {
    private final ApiRoutes routes = Fixtures.routes();

    @Test
    void everyApiEventOfTheTemplate_resolvesToItsOwnRoute() {
        assertTrue(routes.all().size() >= 30, "routes read: " + routes.all().size());
        for (ApiRoutes.Route route : routes.all()) {
            String path = route.path().replaceAll("\\{[^}]+}", "123");
            var match = routes.match(route.method(), path);
            var found = assertInstanceOf(ApiRoutes.Match.Found.class, match, route + " -> " + match);
            assertEquals(route, found.route(), path);
        }
    }

    @Test
    void match_extractsDecodedPathParameters() {
        var found = (ApiRoutes.Match.Found) routes.match("POST", "/inventory/reservations/SN%2042/confirm");
        assertEquals("PostInventoryReservationsOrderSnConfirm", found.route().eventId());
        assertEquals(Map.of("orderSn", "SN 42"), found.pathParameters());
        assertEquals("InventoryApiFunction", found.route().functionId());
    }

    @Test
    void match_prefersTheLiteralSegment_overAParameter() {
        var found = (ApiRoutes.Match.Found) routes.match("POST", "/inventory/batch");
        assertEquals("/inventory/batch", found.route().path());
    }

    @Test
    void match_reportsNoMethod_whenTheResourceLacksTheMethod() {
        var noMethod = assertInstanceOf(ApiRoutes.Match.NoMethod.class, routes.match("PATCH", "/brands/7"));
        assertEquals("/brands/{id}", noMethod.resourcePath());
        assertEquals(List.of("GET", "PUT", "DELETE"), List.copyOf(noMethod.methods()));
        // API Gateway does not fall back to /inventory/{goodsId} for a GET on the literal resource.
        assertInstanceOf(ApiRoutes.Match.NoMethod.class, routes.match("GET", "/inventory/batch"));
    }

    @Test
    void match_reportsNoResource_forUnknownPaths() {
        assertInstanceOf(ApiRoutes.Match.NoResource.class, routes.match("GET", "/nope"));
        assertInstanceOf(ApiRoutes.Match.NoResource.class, routes.match("GET", "/goods/1/extra"));
        assertInstanceOf(ApiRoutes.Match.NoResource.class, routes.match("GET", "/goods//"));
    }

    @Test
    void routes_carryTheDefaultAuthorizer_unlessMarkedNone() {
        var publicGet = (ApiRoutes.Match.Found) routes.match("GET", "/goods/1");
        var adminPost = (ApiRoutes.Match.Found) routes.match("POST", "/goods");
        assertNull(publicGet.route().authorizer());
        assertEquals("JwtAuthorizer", adminPost.route().authorizer());
    }

    @Test
    void greedyProxy_takesTheRestOfThePath_andLosesToLiterals() {
        ApiRoutes r = new ApiRoutes(List.of(
                new ApiRoutes.Route("F", "Proxy", "ANY", "/files/{proxy+}", null),
                new ApiRoutes.Route("F", "Readme", "GET", "/files/readme", null)));
        var proxy = (ApiRoutes.Match.Found) r.match("DELETE", "/files/a/b%20c.png");
        assertEquals(Map.of("proxy", "a/b c.png"), proxy.pathParameters());
        assertEquals("Readme", ((ApiRoutes.Match.Found) r.match("GET", "/files/readme")).route().eventId());
        assertFalse(r.match("GET", "/files") instanceof ApiRoutes.Match.Found);
    }
}
