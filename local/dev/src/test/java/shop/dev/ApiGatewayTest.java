package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway on the real template, with test handlers behind the catalog routes and the authorizer. */
class ApiGatewayTest {
    private final ApiGateway gateway = Fixtures.gateway(Map.of(
            "CatalogApiFunction", EchoHandler.class.getName() + "::handleRequest",
            "AuthorizerFunction", ScriptedAuthorizer.class.getName() + "::handleRequest",
            "InventoryApiFunction", MalformedHandler.class.getName() + "::handleRequest",
            "HealthFunction", "shop.nowhere.NotWrittenYet::handleRequest"));

    @BeforeEach
    void reset() {
        ScriptedAuthorizer.CALLS.set(0);
    }

    private HttpReply send(String method, String path, String token) {
        return gateway.handle(Fixtures.call(method, path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token)));
    }

    private static JsonNode json(HttpReply reply) throws Exception {
        return ProxyEvent.JSON.readTree(reply.body());
    }

    @Test
    void publicRoute_invokesTheFunction_withoutTheAuthorizer() throws Exception {
        HttpReply reply = send("GET", "/goods/7?x=1", null);
        assertEquals(200, reply.status());
        JsonNode echo = json(reply);
        assertEquals("/goods/{id}", echo.path("resource").asText());
        assertEquals("7", echo.path("pathParameters").path("id").asText());
        assertTrue(echo.path("authorizer").isMissingNode() || echo.path("authorizer").isNull());
        assertEquals("CatalogApiFunction", echo.path("functionName").asText());
        assertEquals(0, ScriptedAuthorizer.CALLS.get());
        assertEquals(List.of("a=1", "b=2"), reply.headers().get("Set-Cookie"));
    }

    @Test
    void protectedRoute_answers401FromTheTemplate_withoutCallingTheAuthorizer_whenTheTokenIsMissingOrMalformed() throws Exception {
        for (HttpReply reply : List.of(send("POST", "/goods", null),
                gateway.handle(Fixtures.call("POST", "/goods", Map.of("Authorization", "Basic abc"))))) {
            assertEquals(401, reply.status());
            assertEquals("https://shop.example/problems/unauthorized", json(reply).path("type").asText());
            assertEquals(List.of("Bearer"), reply.headers().get("WWW-Authenticate"));
            assertEquals(List.of("*"), reply.headers().get("Access-Control-Allow-Origin"));
        }
        assertEquals(0, ScriptedAuthorizer.CALLS.get());
    }

    @Test
    void allowedToken_putsPrincipalAndContextIntoTheEvent_asStrings() throws Exception {
        HttpReply reply = send("PUT", "/goods/3", "allow-admin");
        assertEquals(200, reply.status());
        JsonNode authorizer = json(reply).path("authorizer");
        assertEquals("u-allow-admin", authorizer.path("principalId").asText());
        assertEquals("admin", authorizer.path("roles").asText());
        assertEquals("3", authorizer.path("level").asText());
        assertEquals("TOKEN", ScriptedAuthorizer.last.getType());
        assertEquals("Bearer allow-admin", ScriptedAuthorizer.last.getAuthorizationToken());
        assertEquals("arn:aws:execute-api:us-east-1:000000000000:local/prod/PUT/goods/3",
                ScriptedAuthorizer.last.getMethodArn());
    }

    @Test
    void deniedOrThrowingAuthorizer_answersLikeApiGateway() throws Exception {
        HttpReply denied = send("POST", "/goods", "deny");
        assertEquals(403, denied.status());
        assertEquals("https://shop.example/problems/forbidden", json(denied).path("type").asText());
        assertEquals(401, send("POST", "/goods", "reject").status());
        HttpReply crashed = send("POST", "/goods", "crash");
        assertEquals(500, crashed.status());
        assertTrue(json(crashed).path("message").isNull());
    }

    @Test
    void cachedPolicy_isEvaluatedAgainstTheNextMethodArn() {
        assertEquals(200, send("POST", "/goods", "narrow").status());
        // Same token within ReauthorizeEvery: no second call, and the narrow policy does not cover PUT /goods/1.
        assertEquals(403, send("PUT", "/goods/1", "narrow").status());
        assertEquals(1, ScriptedAuthorizer.CALLS.get());
    }

    @Test
    void unknownPathOrMethod_answers403MissingAuthenticationToken() throws Exception {
        for (HttpReply reply : List.of(send("GET", "/nope", null), send("PATCH", "/brands/1", null))) {
            assertEquals(403, reply.status());
            assertEquals("Missing Authentication Token", json(reply).path("message").asText());
        }
    }

    @Test
    void preflight_answersTheTemplatesCors_withoutAuthorizer() {
        HttpReply reply = send("OPTIONS", "/goods/1", null);
        assertEquals(200, reply.status());
        assertEquals(List.of("*"), reply.headers().get("Access-Control-Allow-Origin"));
        assertEquals(List.of("GET,POST,PUT,PATCH,DELETE,OPTIONS"), reply.headers().get("Access-Control-Allow-Methods"));
        assertEquals(List.of("Content-Type,Authorization,Idempotency-Key,If-Match"), reply.headers().get("Access-Control-Allow-Headers"));
        assertEquals(List.of("600"), reply.headers().get("Access-Control-Max-Age"));
        assertEquals(0, ScriptedAuthorizer.CALLS.get());
    }

    @Test
    void missingHandlerClass_answers501NamingIt() throws Exception {
        HttpReply reply = send("GET", "/health", null);
        assertEquals(501, reply.status());
        assertEquals(List.of("application/problem+json"), reply.headers().get("Content-Type"));
        assertTrue(json(reply).path("detail").asText().contains("shop.nowhere.NotWrittenYet"));
    }

    @Test
    void throwingOrMalformedFunction_answers502() throws Exception {
        HttpReply thrown = send("GET", "/goods/500", null);
        assertEquals(502, thrown.status());
        assertEquals("Internal server error", json(thrown).path("message").asText());
        assertEquals(502, send("GET", "/inventory/1", null).status());
    }
}
