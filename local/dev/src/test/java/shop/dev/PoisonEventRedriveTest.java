package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.stack.LocalStack;

/**
 * No event lost, locally: the runner with the real functions over the real stack. A browser-style
 * upload whose S3 event fails every time (the test makes the goods table refuse updates with a
 * test-only trigger) is tried three times, as Lambda does, then kept in the failed-events store.
 * Once the cause is gone, a redrive through the runner's endpoint (what {@code ./dev redrive}
 * calls) records the image, exactly once, and a second delivery of the same event changes nothing.
 */
class PoisonEventRedriveTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String POISON = "test_poison_goods_update";

    @TempDir
    static Path root;
    static DevApp app;
    static DataSource db;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        app = Fixtures.realApp(root, false);
        token = Fixtures.adminToken(root, "poison-test");
        var e = LocalStack.shared().endpoints();
        // The administrator: the test installs and drops a trigger, which the application user may not.
        db = Database.pool(new DbConfig(e.jdbcUrl(), Optional.empty(), e.admin().user(), e.admin().password(), 2),
                AwsConfig.from(Env.of(e.toEnvironment())), "poison-test");
    }

    @AfterAll
    static void stop() throws Exception {
        sql("DROP TRIGGER IF EXISTS " + POISON);
        app.close();
        Database.close(db);
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static long insert(String statement) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement p = c.prepareStatement(statement, Statement.RETURN_GENERATED_KEYS)) {
            p.executeUpdate();
            try (ResultSet keys = p.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static String galleryOf(long goods) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT images FROM goods WHERE id = ?")) {
            p.setLong(1, goods);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        if (path.startsWith("/.dev/")) {
            b.header(DevApp.CONTROL_HEADER, "1");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ProxyEvent.JSON.readTree(response.body());
    }

    private static byte[] png() throws Exception {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0xff8800);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static <T> T await(String what, Supplier<T> poll) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            T value = poll.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Test
    void poisonUploadEvent_isKeptAfterThreeAttempts_andARedriveAfterTheFixRecordsTheImageExactlyOnce() throws Exception {
        long brand = insert("INSERT INTO brand (name) VALUES ('poison-" + UUID.randomUUID().toString().substring(0, 12) + "')");
        long category = insert("INSERT INTO category (name, level) VALUES ('poison', 1)");
        long goods = insert("INSERT INTO goods (category_id, brand_id, name, goods_sn, shop_price, images, desc_images)"
                + " VALUES (" + category + ", " + brand + ", 'poison goods', 'P-" + UUID.randomUUID().toString().substring(0, 20)
                + "', 100, '[]', '[]')");
        byte[] png = png();
        HttpResponse<String> issued = api("POST", "/uploads", "{\"target\":\"goods\",\"targetId\":" + goods
                + ",\"slot\":\"gallery\",\"contentType\":\"image/png\",\"contentLength\":" + png.length + "}");
        assertEquals(201, issued.statusCode(), issued.body());
        JsonNode upload = json(issued);
        String uploadId = upload.get("uploadId").asText();

        // The cause: every update of goods fails, so recording the image fails on each attempt.
        sql("CREATE TRIGGER " + POISON + " BEFORE UPDATE ON goods FOR EACH ROW"
                + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'goods refuses updates (test fault)'");
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(png));
        upload.get("headers").fields().forEachRemaining(h -> {
            if (!h.getKey().equalsIgnoreCase("content-length") && !h.getKey().equalsIgnoreCase("host")) {
                put.header(h.getKey(), h.getValue().asText());
            }
        });
        assertEquals(200, HTTP.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode());

        FailedEvents store = app.invoker().failedEvents();
        FailedEvents.Entry kept = await("the event in the failed-events store", () -> store.list().stream()
                .filter(e -> e.eventJson().contains(uploadId)).findFirst().orElse(null));
        assertEquals("UploadCompleteFunction", kept.functionId());
        assertEquals(3, kept.attempts(), "an attempt and Lambda's two retries");
        assertTrue(kept.errorMessage().contains("upload records failed"), kept.errorMessage());
        assertEquals("PENDING", json(api("GET", "/uploads/" + uploadId, null)).get("status").asText());
        assertEquals("[]", galleryOf(goods).replace(" ", ""));
        HttpResponse<String> listed = api("GET", "/.dev/failed-events", null);
        assertTrue(listed.body().contains(kept.id()), listed.body());

        // Fixed: the redrive replays the kept event through the same function.
        sql("DROP TRIGGER " + POISON);
        HttpResponse<String> redriven = api("POST", "/.dev/failed-events/redrive", "{\"ids\":[\"" + kept.id() + "\"]}");

        assertEquals(200, redriven.statusCode(), redriven.body());
        JsonNode result = json(redriven).get(0);
        assertEquals("redriven", result.get("outcome").asText(), redriven.body());
        JsonNode view = json(api("GET", "/uploads/" + uploadId, null));
        assertEquals("STORED", view.get("status").asText(), view.toString());
        String imageUrl = view.get("imageUrl").asText();
        assertEquals(List.of(imageUrl), List.of(ProxyEvent.JSON.readValue(galleryOf(goods), String[].class)));
        assertTrue(store.find(kept.id()).isEmpty(), "a redriven event leaves the store");

        // The same event again (SQS delivers at least once; a second redrive): the handler is idempotent.
        app.functions().invoke("UploadCompleteFunction", kept.eventJson(), LambdaFunctions.newRequestId());
        assertEquals(List.of(imageUrl), List.of(ProxyEvent.JSON.readValue(galleryOf(goods), String[].class)),
                "recorded exactly once");
        assertEquals("absent", json(api("POST", "/.dev/failed-events/redrive", "{\"ids\":[\"" + kept.id() + "\"]}"))
                .get(0).get("outcome").asText());
    }

    @Test
    void controlEndpoints_needTheirHeader() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                + "/.dev/failed-events/redrive")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, response.statusCode(), response.body());
    }
}
