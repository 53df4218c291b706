package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.stack.LocalStack;
import shop.stack.ProjectRoot;

/**
 * The runner as {@code ./dev start} runs it, in-process on a free port over the real stack, with
 * the template's catalog routes answered by {@link EchoHandler} and a JWKS-checking authorizer, hit
 * over HTTP.
 */
class DevAppEndToEndTest {
    @TempDir
    static Path root;
    static DevApp app;
    static SigningKey key;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** ORIGIN is the template's AllowedOrigin parameter for this run. */
    static final String ORIGIN = "https://shop.example";

    @BeforeAll
    static void start() throws Exception {
        Files.copy(ProjectRoot.find().resolve("template.yaml"), root.resolve("template.yaml"));
        Files.createDirectories(root.resolve("admin"));
        Files.writeString(root.resolve("admin/index.html"), "<h1>admin</h1>");
        Files.writeString(root.resolve("admin/app.js"), "console.log(1)");
        LocalStack stack = LocalStack.shared();
        DevApp.prepareDatabase(stack, true);
        DevApp.Options defaults = DevApp.Options.defaults(root);
        app = DevApp.start(stack, new DevApp.Options(0, root, root.resolve(".stack/dev-signing-key.json"), Optional.empty(),
                Duration.ofMillis(200), List.of(), Map.of("AllowedOrigin", ORIGIN), Map.of("LOCK_MODE", "rowlock"), Map.of(),
                Map.of("CatalogApiFunction", EchoHandler.class.getName() + "::handleRequest",
                        "AuthorizerFunction", JwksAuthorizer.class.getName() + "::handleRequest")));
        key = SigningKey.loadOrCreate(defaults.keyFile());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path)).timeout(Duration.ofSeconds(30));
    }

    @Test
    void tokenFromTheKeyFile_passesTheJwtAuthorizer_andReachesTheFunction() throws Exception {
        String token = key.mint("admin", "alice", Duration.ofMinutes(5), Instant.now());
        HttpResponse<String> response = send(at("/goods").header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"tea\"}")));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode echo = ProxyEvent.JSON.readTree(response.body());
        assertEquals("alice", echo.path("authorizer").path("principalId").asText());
        assertEquals("admin", echo.path("authorizer").path("roles").asText());
        assertEquals("{\"name\":\"tea\"}", echo.path("body").asText());
        assertEquals("CatalogApiFunction", echo.path("functionName").asText());
        assertEquals(1024, echo.path("memory").asInt());
        assertTrue(echo.path("remainingMillis").asInt() <= 15_000 && echo.path("remainingMillis").asInt() > 0);
        assertEquals(LocalStack.shared().endpoints().jdbcUrl(), echo.path("dbUrl").asText());
        // The catalog keeps its idempotency records in the database, in the create's transaction.
        assertEquals("", echo.path("idempotencyTable").asText());
        // Local credentials instead of the Secrets Manager secret the template names.
        assertEquals(LocalStack.shared().endpoints().dbUser(), echo.path("dbUser").asText());
        assertEquals("", echo.path("dbSecretArn").asText());
        assertTrue(response.headers().firstValue("x-amzn-RequestId").isPresent());
    }

    @Test
    void expiredOrForeignToken_isRefusedWith401() throws Exception {
        String expired = key.mint("admin", "alice", Duration.ofMinutes(-5), Instant.now());
        String foreign = SigningKey.loadOrCreate(root.resolve("other-key.json"))
                .mint("admin", "mallory", Duration.ofMinutes(5), Instant.now());
        for (String token : List.of(expired, foreign)) {
            HttpResponse<String> response = send(at("/goods").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(401, response.statusCode(), response.body());
            assertEquals("https://shop.example/problems/unauthorized",
                    ProxyEvent.JSON.readTree(response.body()).path("type").asText());
            assertEquals(ORIGIN, response.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
                    "the gateway's own answers carry the parameter's origin");
        }
    }

    @Test
    void servedJwks_verifiesMintedTokens() throws Exception {
        HttpResponse<String> response = send(at("/.well-known/jwks.json").GET());
        assertEquals(200, response.statusCode());
        SignedJWT jwt = SignedJWT.parse(key.mint("service", "orders", Duration.ofMinutes(1), Instant.now()));
        RSAKey publicKey = (RSAKey) JWKSet.parse(response.body()).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertNotNull(publicKey);
        assertTrue(jwt.verify(new RSASSAVerifier(publicKey)));
    }

    @Test
    void adminFolder_isServedAsStaticFiles() throws Exception {
        HttpResponse<String> index = send(at("/admin/").GET());
        assertEquals(200, index.statusCode());
        assertEquals("<h1>admin</h1>", index.body());
        assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        HttpResponse<String> js = send(at("/admin/app.js").GET());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertEquals(404, send(at("/admin/../template.yaml").GET()).statusCode());
        assertEquals(301, send(at("/admin").GET()).statusCode());
    }

    @Test
    void unknownRoute_andPreflight_overHttp() throws Exception {
        HttpResponse<String> unknown = send(at("/nope").GET());
        assertEquals(403, unknown.statusCode());
        assertEquals("{\"message\":\"Missing Authentication Token\"}", unknown.body());
        assertEquals(ORIGIN, unknown.headers().firstValue("Access-Control-Allow-Origin").orElse(""), "DEFAULT_4XX");
        HttpResponse<String> preflight = send(at("/goods").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST"));
        assertEquals(200, preflight.statusCode());
        assertEquals(ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        // A browser counting stock sends If-Match on a PUT; the preflight must allow both.
        HttpResponse<String> count = send(at("/inventory/1").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN).header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "authorization,content-type,if-match"));
        assertEquals(200, count.statusCode());
        List<String> allowed = List.of(count.headers().firstValue("Access-Control-Allow-Headers").orElse("")
                .toLowerCase(java.util.Locale.ROOT).split(","));
        assertTrue(allowed.containsAll(List.of("authorization", "content-type", "if-match")), allowed.toString());
        assertTrue(count.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"));
    }

    @Test
    void aFunctionsAnswer_carriesTheParametersOrigin_likeTheGateways() throws Exception {
        HttpResponse<String> health = send(at("/health").header("Origin", ORIGIN).GET());
        assertEquals(200, health.statusCode(), health.body());
        assertEquals(ORIGIN, health.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertEquals("{\"status\":\"UP\"}", health.body(), "anonymous callers get the status alone");
        // Scripts may read the version for If-Match, a create's Location and a 503's Retry-After.
        List<String> exposed = List.of(health.headers().firstValue("Access-Control-Expose-Headers").orElse("")
                .split(",\\s*"));
        assertTrue(exposed.containsAll(List.of("ETag", "Location", "Retry-After", "Idempotent-Replayed")),
                exposed.toString());
        HttpResponse<String> details = send(at("/health/details").GET());
        assertEquals(401, details.statusCode(), "the details are behind the authorizer: " + details.body());
        String token = key.mint("admin", "alice", Duration.ofMinutes(5), Instant.now());
        HttpResponse<String> admin = send(at("/health/details").header("Authorization", "Bearer " + token).GET());
        assertEquals(200, admin.statusCode(), admin.body());
        assertEquals(ORIGIN, admin.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(admin.body().contains("\"checks\""), admin.body());
    }

    @Test
    void migrationsRan_beforeServing() throws Exception {
        var e = LocalStack.shared().endpoints();
        var ds = Database.pool(new DbConfig(e.jdbcUrl(), Optional.empty(), e.dbUser(), e.dbPassword(), 1),
                AwsConfig.from(Env.of(e.toEnvironment())), "e2e-check");
        try (Connection c = ds.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1")) {
            rs.next();
            assertTrue(rs.getInt(1) >= 1);
        } finally {
            Database.close(ds);
        }
    }
}
