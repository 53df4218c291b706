package shop.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.platform.json.Json;
import shop.testing.TestContext;
import shop.testing.TestStack;

/**
 * MigrateHandler, the DatabaseSchema custom resource, against the real local database and a local
 * stand-in for CloudFormation's response URL: it answers every request with the schema version the
 * template's functions wait for, FAILED with the reason when the migration fails (the stack then
 * rolls back), and migrates nothing in the Update a rollback sends.
 */
class MigrateHandlerTest {
    private final LinkedBlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
    private HttpServer cloudFormation;
    private String database;

    @BeforeEach
    void startResponseUrl() throws IOException, SQLException {
        cloudFormation = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cloudFormation.createContext("/response", exchange -> {
            answers.add(Json.MAPPER.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cloudFormation.start();
        database = "schema_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        exec("CREATE DATABASE " + database);
        // The migration user (what MigrateFunction connects as) with its usual rights, on this schema.
        exec("GRANT " + shop.stack.DatabaseUsers.MIGRATION_PRIVILEGES + " ON `" + database + "`.* TO '"
                + TestStack.get().stack().endpoints().migration().user() + "'@'%'");
    }

    @AfterEach
    void stop() throws SQLException {
        cloudFormation.stop(0);
        exec("DROP DATABASE IF EXISTS " + database);
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = TestStack.get().admin().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private MigrateHandler handler(String db) {
        String url = TestStack.get().stack().endpoints().jdbcUrl().replaceFirst("/shop\\?", "/" + db + "?");
        var migration = TestStack.get().stack().endpoints().migration();
        return new MigrateHandler(TestStack.get().env(Map.of("DB_URL", url, "DB_POOL_SIZE", "1",
                "DB_USER", migration.user(), "DB_PASSWORD", migration.password())));
    }

    private CloudFormationCustomResourceEvent event(String type, String codeVersion, String oldCodeVersion) {
        CloudFormationCustomResourceEvent e = EventLoader.loadEvent("../events/migrate-create.json",
                CloudFormationCustomResourceEvent.class);
        e.setRequestType(type);
        e.setResponseUrl("http://127.0.0.1:" + cloudFormation.getAddress().getPort() + "/response");
        Map<String, Object> props = new HashMap<>(e.getResourceProperties());
        props.put("CodeVersion", "arn:aws:lambda:eu-central-1:123456789012:function:shop-MigrateFunction:" + codeVersion);
        e.setResourceProperties(props);
        if (oldCodeVersion != null) {
            e.setPhysicalResourceId(MigrateHandler.PHYSICAL_ID);
            Map<String, Object> old = new HashMap<>(props);
            old.put("CodeVersion", "arn:aws:lambda:eu-central-1:123456789012:function:shop-MigrateFunction:" + oldCodeVersion);
            e.setOldResourceProperties(old);
        }
        return e;
    }

    private JsonNode answer() throws InterruptedException {
        JsonNode a = answers.poll(30, TimeUnit.SECONDS);
        assertTrue(a != null, "no answer reached the response URL");
        return a;
    }

    private boolean hasTable(String table) throws SQLException {
        try (Connection c = TestStack.get().admin().getConnection();
             ResultSet rs = c.getMetaData().getTables(database, null, table, null)) {
            return rs.next();
        }
    }

    @Test
    void create_migrates_andAnswersTheSchemaVersionTheFunctionsWaitFor() throws Exception {
        handler(database).handleRequest(event("Create", "3", null), new TestContext(UUID.randomUUID().toString(), java.time.Duration.ofMinutes(5)));
        JsonNode a = answer();
        assertEquals("SUCCESS", a.path("Status").asText(), a.toString());
        assertEquals(MigrateHandler.PHYSICAL_ID, a.path("PhysicalResourceId").asText());
        assertEquals(Migrations.currentVersion(TestStack.get().dataSource()), a.path("Data").path("SchemaVersion").asText());
        assertTrue(a.path("Data").path("MigrationsApplied").asInt() > 0, a.toString());
        assertTrue(hasTable("idempotency_record"));

        handler(database).handleRequest(event("Update", "4", "3"), new TestContext(UUID.randomUUID().toString(), java.time.Duration.ofMinutes(5)));
        JsonNode again = answer();
        assertEquals("SUCCESS", again.path("Status").asText());
        assertEquals(0, again.path("Data").path("MigrationsApplied").asInt(), "nothing was pending");
        assertEquals(a.path("Data").path("SchemaVersion"), again.path("Data").path("SchemaVersion"));
    }

    @Test
    void rollbackUpdate_migratesNothing_andStillAnswersTheSchemaVersion() throws Exception {
        handler(database).handleRequest(event("Update", "6", "7"), new TestContext(UUID.randomUUID().toString(), java.time.Duration.ofMinutes(5)));
        JsonNode a = answer();
        assertEquals("SUCCESS", a.path("Status").asText(), a.toString());
        assertEquals("none", a.path("Data").path("SchemaVersion").asText());
        assertFalse(hasTable("flyway_schema_history"), "a rollback ran the migrations");
        assertTrue(MigrateHandler.isRollback(event("Update", "6", "7")));
        assertFalse(MigrateHandler.isRollback(event("Update", "7", "6")));
        assertFalse(MigrateHandler.isRollback(event("Create", "7", null)));
    }

    @Test
    void failedMigration_answersFailedWithTheReason_soTheStackRollsBack() throws Exception {
        // A schema whose objects clash with the first migration: it fails part-way, as a bad one would.
        exec("CREATE TABLE " + database + ".category (id INT)");
        handler(database).handleRequest(event("Update", "9", "8"), new TestContext(UUID.randomUUID().toString(), java.time.Duration.ofMinutes(5)));
        JsonNode a = answer();
        assertEquals("FAILED", a.path("Status").asText(), a.toString());
        assertTrue(a.path("Reason").asText().startsWith("Migration failed: "), a.toString());
        assertEquals(MigrateHandler.PHYSICAL_ID, a.path("PhysicalResourceId").asText());
    }

    @Test
    void delete_leavesTheData() throws Exception {
        handler(database).handleRequest(event("Create", "1", null), new TestContext(UUID.randomUUID().toString(), java.time.Duration.ofMinutes(5)));
        assertEquals("SUCCESS", answer().path("Status").asText());
        CloudFormationCustomResourceEvent delete = event("Delete", "1", "1");
        handler(database).handleRequest(delete, new TestContext(UUID.randomUUID().toString(), java.time.Duration.ofMinutes(5)));
        assertEquals("SUCCESS", answer().path("Status").asText());
        assertTrue(hasTable("goods"));
    }
}
