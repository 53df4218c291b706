package shop.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.catalog.CatalogApiHandler;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.http.Problems;
import shop.platform.snapstart.SnapStartPriming;
import shop.stack.DatabaseUsers;
import shop.stack.FunctionEnvironment;
import shop.stack.MariaDbServer;
import shop.stack.ProjectRoot;
import shop.stack.Template;
import shop.testing.TestCertificates;
import shop.testing.TestStack;

/**
 * Verified TLS to the database on a real TLS handshake: a second MariaDB (the local stack's binaries)
 * serves a certificate for {@code localhost} signed by a CA the test makes, and the functions connect
 * through their own path, {@code Database.pool} from the environment the template gives them
 * ({@code sslMode=VERIFY_IDENTITY}), with DB_CA_BUNDLE pointing at a PEM of CAs. One server for the
 * class, stopped after it; each refused case waits out the pool's connection timeout once.
 */
class DatabaseTlsTest {
    private static final TestStack TEST = TestStack.get();
    private static final Path RDS_BUNDLE = ProjectRoot.find().resolve("layers/rds-ca-bundle/rds-ca/global-bundle.pem");
    private static Path dir;
    private static TestCertificates certificates;
    private static MariaDbServer server;

    @BeforeAll
    static void startTlsServer() throws Exception {
        dir = Files.createDirectories(Path.of("target", "db-tls").toAbsolutePath());
        certificates = TestCertificates.create(dir, "localhost");
        server = MariaDbServer.startWithTls(new MariaDbServer.Tls(certificates.ca(), certificates.certificate(),
                certificates.key()));
    }

    @AfterAll
    static void stopTlsServer() throws Exception {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** deployedUrl is CatalogApiFunction's DB_URL as the template writes it, for this host and the TLS server's port. */
    private static String deployedUrl(String host) {
        Template template = Template.loadDefault();
        Object url = Template.map(Template.map(template.properties("CatalogApiFunction").get("Environment"))
                .get("Variables")).get("DB_URL");
        return FunctionEnvironment.resolveValue(template, Map.of("DbEndpoint", host, "DbPort",
                String.valueOf(server.port()), "DbName", "shop"), Map.of(), url);
    }

    /** env is a function's environment on the TLS server: the deployed DB_URL, DB_CA_BUNDLE as given. */
    private static Env env(String host, Path caBundle) {
        Map<String, String> extra = new HashMap<>();
        extra.put("DB_URL", deployedUrl(host));
        extra.put("DB_CA_BUNDLE", caBundle.toString());
        extra.put("DB_USER", DatabaseUsers.APP_USER);
        extra.put("DB_PASSWORD", DatabaseUsers.APP_PASSWORD);
        extra.put("DB_POOL_SIZE", "1");
        return TEST.env(extra);
    }

    @Test
    void verifyIdentity_withTheRightCaAndHost_connectsAndTheSessionIsEncrypted() throws Exception {
        Env env = env("localhost", certificates.ca());
        assertTrue(env.require("DB_URL").contains("sslMode=VERIFY_IDENTITY"), "the template's DB_URL: " + env.require("DB_URL"));
        try (HikariDataSource pool = Database.pool(DbConfig.from(env), AwsConfig.from(env), "tls-test");
             Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT CURRENT_USER(), DATABASE(), COUNT(*) FROM information_schema.TABLES")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith(DatabaseUsers.APP_USER + "@"), rs.getString(1));
                assertEquals("shop", rs.getString(2));
            }
            assertFalse(sessionStatus(s, "Ssl_cipher").isBlank(), "the session is not encrypted");
            assertTrue(sessionStatus(s, "Ssl_version").matches("TLSv1\\.[23]"), "TLS version " + sessionStatus(s, "Ssl_version"));
        }
    }

    @Test
    void aBundleOfOtherCas_isRefused_with503AndAnErrorNamingDbCaBundle() throws Exception {
        Refusal r = refusal(env("localhost", RDS_BUNDLE));
        String message = r.explained().getMessage();
        assertTrue(message.contains("DB_CA_BUNDLE") && message.contains(RDS_BUNDLE.toString()), message);
        assertTrue(message.contains("chains to none of the"), message);
        assertServiceUnavailable(r.response());
    }

    @Test
    void aHostTheCertificateDoesNotName_isRefused_with503AndAnErrorNamingTheHost() throws Exception {
        Refusal r = refusal(env("127.0.0.1", certificates.ca()));
        String message = r.explained().getMessage();
        assertTrue(message.contains("does not name '127.0.0.1', the host of DB_URL"), message);
        assertTrue(message.contains("VERIFY_IDENTITY"), message);
        assertServiceUnavailable(r.response());
    }

    @Test
    void noBundle_meansTheJvmsTrustStore_whichRefusesWithAnErrorSayingDbCaBundleIsEmpty() {
        // The pool's data source alone: the same connect as the pool's, without its connection timeout.
        DbConfig cfg = DbConfig.from(env("localhost", certificates.ca()));
        LoginDataSource direct = new LoginDataSource("tls-test", cfg.jdbcUrl(), Database.driverOptions(cfg),
                DbLogin.fixed(cfg.user(), cfg.password()), Optional.empty());
        SQLNonTransientConnectionException e = assertThrows(SQLNonTransientConnectionException.class, direct::getConnection);
        assertTrue(e.getMessage().contains("chains to no CA the JVM trusts and DB_CA_BUNDLE is empty"), e.getMessage());
    }

    private static String sessionStatus(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE '" + name + "'")) {
            assertTrue(rs.next(), name);
            return rs.getString(2);
        }
    }

    /** What a function meets when the handshake is refused: the pool's error and a request's answer. */
    private record Refusal(SQLNonTransientConnectionException explained, APIGatewayProxyResponseEvent response) {
    }

    /**
     * refusal builds the catalog function on {@code env} and asks its pool for a connection while a
     * request runs, so both wait out the pool's connection timeout once.
     */
    private static Refusal refusal(Env env) throws Exception {
        CatalogApiHandler handler = new CatalogApiHandler(env);
        DataSource pool = SnapStartPriming.registeredForTest().getLast().poolsForTest().getFirst();
        try {
            CompletableFuture<APIGatewayProxyResponseEvent> response = CompletableFuture.supplyAsync(() ->
                    handler.handleRequest(EventLoader.loadApiGatewayRestEvent("../events/catalog-get-goods.json"), null));
            SQLException e = assertThrows(SQLException.class, pool::getConnection);
            SQLNonTransientConnectionException explained = null;
            for (Throwable t = e; t != null && explained == null; t = t.getCause()) {
                if (t instanceof SQLNonTransientConnectionException x && x.getMessage().startsWith("TLS to the database")) {
                    explained = x;
                }
            }
            assertNotNull(explained, "the pool's error does not say what TLS refused: " + e);
            return new Refusal(explained, response.get(60, TimeUnit.SECONDS));
        } finally {
            Database.close(pool);
        }
    }

    /** A client gets the designed 503 problem, which names no setting, exception or certificate. */
    private static void assertServiceUnavailable(APIGatewayProxyResponseEvent response) {
        assertEquals(503, response.getStatusCode(), response.getBody());
        assertEquals(Problems.CONTENT_TYPE, response.getHeaders().get("Content-Type"));
        assertTrue(response.getBody().contains("\"dependency\":\"the database\""), response.getBody());
        for (String internal : List.of("Exception", "TLS", "DB_CA_BUNDLE", "certificate", "localhost", "127.0.0.1")) {
            assertFalse(response.getBody().contains(internal), "the body leaks '" + internal + "': " + response.getBody());
        }
    }
}
