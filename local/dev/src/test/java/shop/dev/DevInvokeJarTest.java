package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.stack.LocalStack;
import shop.stack.ProjectRoot;
import shop.stack.StackPorts;

/**
 * {@code ./dev invoke FUNCTION --event E --env-vars events/env.local.json} runs the deployable jar
 * (the bytes {@code sam deploy} uploads) in a fresh JVM with the environment {@code sam local invoke}
 * would give the function, against a stack on the documented fixed ports ({@code ./dev start
 * --fixed-ports}). That is the proof, on a machine without Docker, that {@code sam local invoke}
 * works as the README says: the jar's own configuration and logging, no variable the template does
 * not declare, the endpoints of events/env.local.json. The reactor packages the jar before this
 * module's tests run.
 */
class DevInvokeJarTest {
    private static LocalStack stack;
    private static Path root;

    @BeforeAll
    static void startOnFixedPorts() {
        root = ProjectRoot.find();
        JarInvocation.jar(root);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SHOP_STACK_PORTS", "fixed");
        try {
            stack = LocalStack.start(env);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the fixed ports (" + StackPorts.DB + ", " + StackPorts.S3 + ", "
                    + StackPorts.DYNAMODB + ", " + StackPorts.REDIS_FIRST + "+) must be free for this test", e);
        }
        DevApp.prepareDatabase(stack, true);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private record Invocation(int code, JsonNode response, String raw) {
    }

    private static Invocation invoke(String function, String event, String... more) throws Exception {
        ArrayDeque<String> args = new ArrayDeque<>(List.of(function, "--event", root.resolve("events/" + event).toString(),
                "--env-vars", root.resolve("events/env.local.json").toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Dev.invoke(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        String raw = out.toString(StandardCharsets.UTF_8).strip();
        return new Invocation(code, ProxyEvent.JSON.readTree(raw), raw);
    }

    @Test
    void catalogFromTheJar_readsTheDatabaseOnTheFixedPort() throws Exception {
        Invocation i = invoke("CatalogApiFunction", "catalog-get-goods.json");
        assertEquals(0, i.code(), i.raw());
        assertEquals(200, i.response().path("statusCode").asInt(), i.raw());
        JsonNode body = ProxyEvent.JSON.readTree(i.response().path("body").asText());
        assertTrue(body.path("total").asLong() > 0, "the sample data did not come back: " + i.raw());
    }

    @Test
    void uploadsFromTheJar_readsDynamoDbOnTheFixedPort() throws Exception {
        Invocation i = invoke("UploadsApiFunction", "uploads-get-status.json");
        assertEquals(0, i.code(), i.raw());
        // An unknown upload id: DynamoDB answered that it has no such ticket (a 503 would mean unreachable).
        assertEquals(404, i.response().path("statusCode").asInt(), i.raw());
    }

    @Test
    void inventoryFromTheJar_reachesRedisAndTheDatabase() throws Exception {
        Invocation i = invoke("InventoryApiFunction", "inventory-get-stock.json");
        assertEquals(0, i.code(), i.raw());
        int status = i.response().path("statusCode").asInt();
        assertTrue(status == 200 || status == 404, i.raw());
    }

    @Test
    void migrateFromTheJar_answersTheSchemaVersion() throws Exception {
        Invocation i = invoke("MigrateFunction", "migrate-create.json");
        assertEquals(0, i.code(), i.raw());
        assertEquals("SUCCESS", i.response().path("status").asText(), i.raw());
    }

    @Test
    void aDeclaredVariableOfALaterFile_replacesTheFirstFilesValue() throws Exception {
        Path file = Files.createTempFile("env-vars", ".json");
        try {
            // DB_URL is declared, so the later file replaces it (NOT_DECLARED is dropped, as SAM drops it).
            Files.writeString(file, """
                    {"Parameters": {"DB_URL": "jdbc:mysql://127.0.0.1:1/shop", "NOT_DECLARED": "x"}}""");
            ArrayDeque<String> args = new ArrayDeque<>(List.of("CatalogApiFunction", "--event",
                    root.resolve("events/catalog-get-goods.json").toString(), "--env-vars",
                    root.resolve("events/env.local.json").toString(), "--env-vars", file.toString()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = Dev.invoke(args, new PrintStream(out, true, StandardCharsets.UTF_8));
            JsonNode response = ProxyEvent.JSON.readTree(out.toString(StandardCharsets.UTF_8));
            assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
            assertEquals(503, response.path("statusCode").asInt(), "the overridden DB_URL was not applied: " + response);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
