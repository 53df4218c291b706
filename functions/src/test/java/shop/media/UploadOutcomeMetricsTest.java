package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import shop.media.MediaFixtures.Rec;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.platform.json.Json;

/**
 * The upload outcomes UploadCompleteHandler publishes (CloudWatch EMF), which the operations
 * dashboard in template.yaml graphs: one line per invocation, counting each record's outcome.
 */
class UploadOutcomeMetricsTest {
    private final MediaFixtures f = new MediaFixtures();

    private UploadService.IssuedUpload issue(long banner, long length) {
        return f.service(Clock.systemUTC()).issue(new UploadService.UploadRequest("banner", banner, "image", "image/png",
                length), "admin-test");
    }

    private UploadCompleteHandler handler(javax.sql.DataSource db, List<String> lines) {
        return new UploadCompleteHandler(new UploadCompletion(f.tickets, new JdbcTargetRepository(db), f.objects,
                new ImageInspector(ImageInspector.Limits.DEFAULT), f.publicBase, Clock.systemUTC()), f.bucket, lines::add);
    }

    @Test
    void oneInvocation_publishesStoredRejectedAndIgnoredCounts_underServiceMedia() throws Exception {
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
        assertEquals("media", line.get("Service").asText());
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
}
