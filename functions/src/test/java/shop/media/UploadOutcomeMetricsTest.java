package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import shop.media.MediaFixtures.Rec;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.platform.json.Json;
import shop.platform.metrics.Metrics;
import shop.stack.Template;

/**
 * The upload outcomes UploadCompleteHandler counts through the project's {@link Metrics} (one
 * CloudWatch EMF line per invocation, counting each record's outcome), and the operations dashboard
 * in template.yaml graphing them under the dimension the handler really writes.
 */
class UploadOutcomeMetricsTest {
    private final MediaFixtures f = new MediaFixtures();

    private UploadService.IssuedUpload issue(long banner, long length) {
        return f.service(Clock.systemUTC()).issue(new UploadService.UploadRequest("banner", banner, "image", "image/png",
                length), "admin-test");
    }

    private UploadCompleteHandler handler(javax.sql.DataSource db, List<String> lines) {
        return new UploadCompleteHandler(new UploadCompletion(f.tickets, new JdbcTargetRepository(db), f.objects,
                new ImageInspector(ImageInspector.Limits.DEFAULT), f.publicBase, Clock.systemUTC()), f.bucket,
                new Metrics(lines::add, Clock.systemUTC()));
    }

    /** dashboardUploadMetrics maps each Uploads* metric the dashboard graphs to its Service dimension. */
    private static Map<String, String> dashboardUploadMetrics() throws Exception {
        Map<String, Object> dashboard = Template.map(Template.loadDefault().resourcesOfType("AWS::CloudWatch::Dashboard")
                .values().iterator().next().get("Properties"));
        String body = String.valueOf(Template.map(dashboard.get("DashboardBody")).get("Fn::Sub"));
        Map<String, String> graphed = new TreeMap<>();
        for (JsonNode widget : Json.MAPPER.readTree(body.replaceAll("\\$\\{[^}]+}", "x")).get("widgets")) {
            for (JsonNode metric : widget.path("properties").path("metrics")) {
                List<String> parts = new ArrayList<>();
                metric.forEach(p -> parts.add(p.isTextual() ? p.asText() : ""));
                if (parts.size() >= 4 && parts.get(1).startsWith("Uploads") && parts.get(2).equals("Service")) {
                    graphed.put(parts.get(1), parts.get(3));
                }
            }
        }
        return graphed;
    }

    @Test
    void oneInvocation_writesStoredRejectedAndIgnoredCounts_inOneLine_underItsService() throws Exception {
        byte[] png = MediaFixtures.png(2, 2);
        var good = issue(f.banner(), png.length);
        f.put(good.key(), png, "image/png");
        var bad = issue(f.banner(), png.length);
        f.put(bad.key(), new byte[png.length], "image/png");
        List<String> lines = new CopyOnWriteArrayList<>();

        handler(f.db, lines).handleRequest(f.event(Rec.of(good.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(bad.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of("uploads/no-ticket.png", 3, MediaFixtures.nextSequencer())), null);

        assertEquals(1, lines.size(), lines.toString());
        JsonNode line = Json.MAPPER.readTree(lines.getFirst());
        assertEquals(UploadCompleteHandler.METRICS_SERVICE, line.get("Service").asText());
        assertEquals("ShopBackend", line.get("_aws").get("CloudWatchMetrics").get(0).get("Namespace").asText());
        assertEquals(1, line.get("UploadsStored").asInt());
        assertEquals(1, line.get("UploadsRejected").asInt());
        assertEquals(1, line.get("UploadsIgnored").asInt());
        assertFalse(line.has("UploadsFailed"), line.toString());
    }

    @Test
    void aRecordThatFails_isCountedAsFailed_beforeTheInvocationEndsInAnError() throws Exception {
        byte[] png = MediaFixtures.png(2, 2);
        var upload = issue(f.banner(), png.length);
        f.put(upload.key(), png, "image/png");
        var e = f.test.stack().endpoints();
        HikariDataSource closed = Database.pool(new DbConfig(e.jdbcUrl(), Optional.empty(), e.dbUser(), e.dbPassword(), 1),
                f.aws, "media-metrics-closed");
        closed.close();
        List<String> lines = new CopyOnWriteArrayList<>();

        assertThrows(UploadCompleteHandler.UploadBatchFailedException.class, () -> handler(closed, lines)
                .handleRequest(f.event(Rec.of(upload.key(), png.length, MediaFixtures.nextSequencer())), null));

        JsonNode line = Json.MAPPER.readTree(lines.getFirst());
        assertEquals(1, line.get("UploadsFailed").asInt());
        assertFalse(line.has("UploadsIgnored"), "a failed record is not also counted as ignored: " + line);
    }

    @Test
    void theDashboard_graphsEveryOutcome_underTheServiceTheHandlerWrites() throws Exception {
        byte[] png = MediaFixtures.png(2, 2);
        var good = issue(f.banner(), png.length);
        f.put(good.key(), png, "image/png");
        List<String> lines = new CopyOnWriteArrayList<>();
        handler(f.db, lines).handleRequest(f.event(Rec.of(good.key(), png.length, MediaFixtures.nextSequencer())), null);
        String written = Json.MAPPER.readTree(lines.getFirst()).get("Service").asText();

        Map<String, String> expected = new TreeMap<>();
        for (String name : List.of("UploadsStored", "UploadsRejected", "UploadsIgnored", "UploadsFailed")) {
            expected.put(name, written);
        }
        assertEquals(expected, dashboardUploadMetrics(),
                "the dashboard must graph the upload outcomes with the Service dimension the handler writes");
    }
}
