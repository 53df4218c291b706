package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import shop.media.MediaFixtures.Rec;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.testing.SessionStateAudit;

/**
 * An upload completion in RdsProxy mode (DB_RDS_PROXY=true): the image is recorded on its banner with
 * the mode's JDBC settings, and nothing the function's user sent would pin a session behind RDS
 * Proxy ({@link SessionStateAudit}; the other key paths are in {@code shop.inventory.RdsProxyModeTest}).
 */
class UploadCompletionProxyModeTest {
    private final MediaFixtures f = new MediaFixtures();

    @Test
    void uploadCompletion_inRdsProxyMode_recordsTheImage_andSetsNoSessionState() throws Exception {
        String user = "shop_proxy_upload";
        f.test.createAppUser(user, "proxy-mode-test");
        long banner = f.banner();
        byte[] png = MediaFixtures.png(3, 2);
        var issued = f.service(Clock.systemUTC()).issue(new UploadService.UploadRequest("banner", banner, "image",
                "image/png", (long) png.length), "admin-test");
        f.put(issued.key(), png, "image/png");
        // The proxy's init query sets the session's time zone; the URL must not (that would pin).
        String url = f.test.stack().endpoints().jdbcUrl().replace("&forceConnectionTimeZoneToSession=true", "");
        SessionStateAudit.Findings findings;
        try (SessionStateAudit audit = SessionStateAudit.start(f.test, user);
             HikariDataSource pool = Database.pool(new DbConfig(url, Optional.empty(), user, "proxy-mode-test", 2, true,
                     Optional.empty()), f.aws, "upload-complete-proxy")) {
            var report = f.completeHandler(pool, Clock.systemUTC()).handleRequest(
                    f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);
            assertEquals(List.of(new UploadCompletion.Outcome.Stored(issued.uploadId(), f.servedUrl(issued.key()))),
                    report.outcomes());
            findings = audit.stop();
        }
        assertEquals(f.servedUrl(issued.key()), f.bannerImage(banner));
        assertTrue(findings.commands() > 3, "the audit saw almost nothing: " + findings.commands());
        assertEquals(List.of(), findings.pinning(), "statements that pin a session behind RDS Proxy");
    }
}
