package shop.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import shop.media.MediaFixtures.Rec;
import shop.media.UploadCompletion.Outcome;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.platform.error.DependencyUnavailableException;

/**
 * UploadCompleteHandler on the real local stack: tickets issued by the service, objects put into
 * S3Mock with the SDK, events in S3's notification format, rows checked in MariaDB.
 */
class UploadCompleteHandlerTest {
    private final MediaFixtures f = new MediaFixtures();

    private UploadService.IssuedUpload issue(String target, long id, String slot, String type, long length) {
        return f.service(Clock.systemUTC()).issue(new UploadService.UploadRequest(target, id, slot, type, length),
                "admin-test");
    }

    private UploadService.IssuedUpload uploadPng(String target, long id, String slot, byte[] png) {
        var issued = issue(target, id, slot, "image/png", png.length);
        f.put(issued.key(), png, "image/png");
        return issued;
    }

    @Test
    void sampleEvent_storesBannerImage_andMarksTicketStored() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(3, 2);
        var issued = uploadPng("banner", banner, "image", png);

        var report = f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), png.length,
                MediaFixtures.nextSequencer())), null);

        String url = f.servedUrl(issued.key());
        assertEquals(f.cdn + "/images/banner/" + banner + "/" + issued.uploadId() + ".png", url);
        assertEquals(List.of(new Outcome.Stored(issued.uploadId(), url)), report.outcomes());
        assertEquals(url, f.bannerImage(banner));
        UploadTicket t = f.ticket(issued.uploadId());
        assertEquals(UploadStatus.STORED, t.status());
        assertEquals(Optional.of(url), t.imageUrl());
        assertFalse(f.exists(issued.key()), "the upload object is deleted once its copy is served");
        var served = f.head(UploadKey.servedKey(issued.key()));
        assertEquals(png.length, served.contentLength());
        assertEquals("image/png", served.contentType());
        assertEquals("public, max-age=31536000, immutable", served.cacheControl());
        assertEquals("inline; filename=\"" + issued.uploadId() + ".png\"", served.contentDisposition());
    }

    @Test
    void everySlot_recordsItsUrl_frontReplaces_galleryAndDescAppend_brandLogo() {
        long goods = f.goods();
        long brand = f.brand();
        byte[] png = MediaFixtures.png(2, 2);
        var front1 = uploadPng("goods", goods, "front", png);
        var front2 = uploadPng("goods", goods, "front", png);
        var gallery1 = uploadPng("goods", goods, "gallery", png);
        var gallery2 = uploadPng("goods", goods, "gallery", png);
        var desc = uploadPng("goods", goods, "desc", png);
        var logo = uploadPng("brand", brand, "logo", png);

        f.completeHandler().handleRequest(f.event(
                Rec.of(front1.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(front2.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(gallery1.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(gallery2.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(desc.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(logo.key(), png.length, MediaFixtures.nextSequencer())), null);

        Map<String, String> row = f.goodsImages(goods);
        assertEquals(f.servedUrl(front2.key()), row.get("goods_front_image"));
        assertEquals(List.of(f.servedUrl(gallery1.key()), f.servedUrl(gallery2.key())),
                f.jsonList(row.get("images")));
        assertEquals(List.of(f.servedUrl(desc.key())), f.jsonList(row.get("desc_images")));
        assertEquals(f.servedUrl(logo.key()), f.brandLogo(brand));
    }

    @Test
    void duplicateEvent_changesNothing_noSecondGalleryEntry() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("goods", goods, "gallery", png);
        String seq = MediaFixtures.nextSequencer();
        Rec rec = Rec.of(issued.key(), png.length, seq);

        f.completeHandler().handleRequest(f.event(rec, rec), null);
        var again = f.completeHandler().handleRequest(f.event(rec), null);

        assertEquals(List.of(f.servedUrl(issued.key())), f.jsonList(f.goodsImages(goods).get("images")));
        assertInstanceOf(Outcome.Ignored.class, again.outcomes().getFirst());
        assertEquals(seq, f.ticket(issued.uploadId()).sequencer().orElseThrow());
    }

    @Test
    void repeatedAttach_afterTicketUpdateWasLost_doesNotAppendTwice() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("goods", goods, "desc", png);
        String url = f.servedUrl(issued.key());
        // The first attempt wrote the row, then died before the ticket update.
        new JdbcTargetRepository(f.db).attach(UploadTarget.GOODS, goods, "desc", url);

        f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);

        assertEquals(List.of(url), f.jsonList(f.goodsImages(goods).get("desc_images")));
        assertEquals(UploadStatus.STORED, f.ticket(issued.uploadId()).status());
    }

    @Test
    void olderEvent_afterNewerOneWasApplied_changesNothing() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("goods", goods, "gallery", png);
        String older = MediaFixtures.nextSequencer();
        String newer = MediaFixtures.nextSequencer();

        f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), png.length, newer)), null);
        var late = f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), png.length, older)), null);

        var outcome = assertInstanceOf(Outcome.Ignored.class, late.outcomes().getFirst());
        assertTrue(outcome.why().contains("older"), outcome.why());
        assertEquals(newer, f.ticket(issued.uploadId()).sequencer().orElseThrow());
        assertEquals(1, f.jsonList(f.goodsImages(goods).get("images")).size());
    }

    @Test
    void olderEvent_afterNewerOneWasRejected_doesNotBringTheImageBack() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = issue("banner", banner, "image", "image/png", png.length);
        byte[] text = "x".repeat(png.length).getBytes(StandardCharsets.US_ASCII);
        f.put(issued.key(), text, "image/png");
        String older = MediaFixtures.nextSequencer();
        String newer = MediaFixtures.nextSequencer();

        f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), png.length, newer)), null);
        f.put(issued.key(), png, "image/png"); // whatever is there now, the older event must not apply it
        var late = f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), png.length, older)), null);

        assertInstanceOf(Outcome.Ignored.class, late.outcomes().getFirst());
        assertEquals(UploadStatus.REJECTED, f.ticket(issued.uploadId()).status());
        assertEquals("", f.bannerImage(banner));
    }

    @Test
    void newerObjectAtStoredKey_isDeleted_andTheServedImageStaysAsVerified() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("goods", goods, "gallery", png);
        f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);
        assertEquals(List.of(f.servedUrl(issued.key())), f.jsonList(f.goodsImages(goods).get("images")));

        // The same presigned URL used again, before it expired, with same-size non-image bytes.
        f.put(issued.key(), new byte[png.length], "image/png");
        var report = f.completeHandler().handleRequest(
                f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);

        var outcome = assertInstanceOf(Outcome.Ignored.class, report.outcomes().getFirst());
        assertTrue(outcome.why().contains("already STORED"), outcome.why());
        assertEquals(List.of(f.servedUrl(issued.key())), f.jsonList(f.goodsImages(goods).get("images")));
        assertEquals(UploadStatus.STORED, f.ticket(issued.uploadId()).status());
        assertFalse(f.exists(issued.key()), "what lies at a decided ticket's upload key is deleted");
        assertArrayEquals(png, f.bytes(UploadKey.servedKey(issued.key())), "the served copy never changes");
    }

    @Test
    void retriedEvent_afterTheUploadObjectIsGone_neitherUnrecordsNorRecordsTwice() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(3, 3);
        var issued = uploadPng("goods", goods, "desc", png);
        var event = f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer()));
        f.completeHandler().handleRequest(event, null);
        assertFalse(f.exists(issued.key()));

        // S3 delivers the event again, and Lambda retries it again.
        var second = f.completeHandler().handleRequest(event, null);
        var third = f.completeHandler().handleRequest(event, null);

        assertInstanceOf(Outcome.Ignored.class, second.outcomes().getFirst());
        assertInstanceOf(Outcome.Ignored.class, third.outcomes().getFirst());
        assertEquals(List.of(f.servedUrl(issued.key())), f.jsonList(f.goodsImages(goods).get("desc_images")));
        UploadTicket t = f.ticket(issued.uploadId());
        assertEquals(UploadStatus.STORED, t.status());
        assertEquals(Optional.of(f.servedUrl(issued.key())), t.imageUrl());
        assertArrayEquals(png, f.bytes(UploadKey.servedKey(issued.key())));
    }

    @Test
    void failedDeleteOfTheUpload_afterTheTicketIsStored_failsTheInvocation_andTheRetryFinishesIt() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(2, 3);
        var issued = uploadPng("goods", goods, "gallery", png);
        var event = f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer()));
        ObjectStore failsFirstDelete = new DelegatingObjectStore(f.objects) {
            private boolean failed;

            @Override
            public void delete(String key) {
                if (!failed && key.startsWith(UploadKey.PREFIX)) {
                    failed = true;
                    throw new DependencyUnavailableException("the images bucket", new RuntimeException("injected"));
                }
                super.delete(key);
            }
        };

        assertThrows(UploadCompleteHandler.UploadBatchFailedException.class,
                () -> f.completeHandler(new JdbcTargetRepository(f.db), failsFirstDelete).handleRequest(event, null));
        assertEquals(UploadStatus.STORED, f.ticket(issued.uploadId()).status());
        assertTrue(f.exists(issued.key()));

        var retry = f.completeHandler().handleRequest(event, null);

        assertInstanceOf(Outcome.Ignored.class, retry.outcomes().getFirst());
        assertFalse(f.exists(issued.key()));
        assertEquals(List.of(f.servedUrl(issued.key())), f.jsonList(f.goodsImages(goods).get("images")));
    }

    @Test
    void failureAfterTheCopy_beforeTheTargetWrite_leavesTheTicketPending_andTheRetryStoresOnce() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(4, 2);
        var issued = uploadPng("goods", goods, "gallery", png);
        var event = f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer()));
        TargetRepository real = new JdbcTargetRepository(f.db);
        TargetRepository down = new TargetRepository() {
            @Override
            public boolean exists(UploadTarget target, long targetId) {
                return real.exists(target, targetId);
            }

            @Override
            public Change attach(UploadTarget target, long targetId, String slot, String url) {
                throw new DependencyUnavailableException("the database", new RuntimeException("injected"));
            }

            @Override
            public Change detach(UploadTarget target, long targetId, String slot, String url) {
                return real.detach(target, targetId, slot, url);
            }
        };

        assertThrows(UploadCompleteHandler.UploadBatchFailedException.class,
                () -> f.completeHandler(down, f.objects).handleRequest(event, null));
        assertEquals(UploadStatus.PENDING, f.ticket(issued.uploadId()).status());
        assertTrue(f.exists(issued.key()), "the upload stays until the ticket is decided");
        assertTrue(f.exists(UploadKey.servedKey(issued.key())), "the copy was made");
        assertEquals(List.of(), f.jsonList(f.goodsImages(goods).get("images")));

        var retry = f.completeHandler().handleRequest(event, null);

        assertEquals(List.of(new Outcome.Stored(issued.uploadId(), f.servedUrl(issued.key()))), retry.outcomes());
        assertEquals(List.of(f.servedUrl(issued.key())), f.jsonList(f.goodsImages(goods).get("images")));
        assertFalse(f.exists(issued.key()));
    }

    @Test
    void objectReplacedBetweenItsCheckAndItsCopy_isNotServed_andTheNewerObjectsEventDecides() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(5, 5);
        byte[] first = ImageBytes.withText(png, "first");
        byte[] replacement = ImageBytes.withText(png, "other"); // another image of the same size
        var issued = uploadPng("banner", banner, "image", first);
        // The presigned URL is used again while the first object is being checked: after the check
        // read it, before the copy.
        ObjectStore replacedMeanwhile = new DelegatingObjectStore(f.objects) {
            @Override
            public void publish(String key, String etag, String servedKey, ServedHeaders headers) {
                f.put(key, replacement, "image/png");
                super.publish(key, etag, servedKey, headers);
            }
        };

        var report = f.completeHandler(new JdbcTargetRepository(f.db), replacedMeanwhile).handleRequest(
                f.event(Rec.of(issued.key(), first.length, MediaFixtures.nextSequencer())), null);

        var outcome = assertInstanceOf(Outcome.Ignored.class, report.outcomes().getFirst());
        assertTrue(outcome.why().contains("replaced"), outcome.why());
        assertEquals(UploadStatus.PENDING, f.ticket(issued.uploadId()).status());
        assertEquals("", f.bannerImage(banner));
        assertFalse(f.exists(UploadKey.servedKey(issued.key())), "nothing unverified is served");

        var newer = f.completeHandler().handleRequest(
                f.event(Rec.of(issued.key(), replacement.length, MediaFixtures.nextSequencer())), null);

        assertInstanceOf(Outcome.Stored.class, newer.outcomes().getFirst());
        assertArrayEquals(replacement, f.bytes(UploadKey.servedKey(issued.key())));
    }

    @Test
    void objectReplacedBetweenItsHeadAndItsRead_isNotChecked() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(5, 5);
        byte[] first = ImageBytes.withText(png, "first");
        var issued = uploadPng("banner", banner, "image", first);
        ObjectStore replacedMeanwhile = new DelegatingObjectStore(f.objects) {
            @Override
            public Optional<ObjectInfo> head(String key) {
                Optional<ObjectInfo> info = super.head(key);
                f.put(key, ImageBytes.withText(png, "other"), "image/png");
                return info;
            }
        };

        var report = f.completeHandler(new JdbcTargetRepository(f.db), replacedMeanwhile).handleRequest(
                f.event(Rec.of(issued.key(), first.length, MediaFixtures.nextSequencer())), null);

        var outcome = assertInstanceOf(Outcome.Ignored.class, report.outcomes().getFirst());
        assertTrue(outcome.why().contains("replaced while it was checked"), outcome.why());
        assertEquals(UploadStatus.PENDING, f.ticket(issued.uploadId()).status());
        assertFalse(f.exists(UploadKey.servedKey(issued.key())));
    }

    @Test
    void decompressionBomb_tinyPngClaiming50000x50000_isRejected_andNothingServed() {
        long banner = f.banner();
        byte[] bomb = ImageBytes.pngBomb(50_000, 50_000);
        var issued = issue("banner", banner, "image", "image/png", bomb.length);
        f.put(issued.key(), bomb, "image/png");

        assertRejected(issued, banner, bomb.length, "50000 x 50000 pixels");
    }

    @Test
    void polyglot_pngHeaderFollowedByHtml_isRejected_andNothingServed() {
        long banner = f.banner();
        byte[] polyglot = ImageBytes.concat(ImageBytes.pngSignature(), ImageBytes.ihdr(2, 2), ImageBytes.HTML);
        var issued = issue("banner", banner, "image", "image/png", polyglot.length);
        f.put(issued.key(), polyglot, "image/png");

        assertRejected(issued, banner, polyglot.length, "malformed chunk");
    }

    @Test
    void truncatedImage_isRejected() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(30, 30);
        byte[] truncated = java.util.Arrays.copyOf(png, png.length - 30);
        var issued = issue("banner", banner, "image", "image/png", truncated.length);
        f.put(issued.key(), truncated, "image/png");

        assertRejected(issued, banner, truncated.length, "png");
    }

    @Test
    void webp_whenPromised_isStored_andServedAsWebp() {
        long brand = f.brand();
        byte[] webp = ImageBytes.webp("lossless-41x19.webp");
        var issued = issue("brand", brand, "logo", "image/webp", webp.length);
        f.put(issued.key(), webp, "image/webp");

        var report = f.completeHandler().handleRequest(
                f.event(Rec.of(issued.key(), webp.length, MediaFixtures.nextSequencer())), null);

        assertEquals(List.of(new Outcome.Stored(issued.uploadId(), f.servedUrl(issued.key()))), report.outcomes());
        assertTrue(issued.key().endsWith(".webp"));
        assertEquals("image/webp", f.head(UploadKey.servedKey(issued.key())).contentType());
        assertEquals(f.servedUrl(issued.key()), f.brandLogo(brand));
    }

    @Test
    void keysWithSpacesAndUnicode_areDecoded_andAnObjectWithoutTicketIsLeftAlone() {
        long banner = f.banner();
        String key = "uploads/banner/" + banner + "/summer sale ü+€ 1.png";
        byte[] png = MediaFixtures.png(2, 2);
        f.put(key, png, "image/png");
        var rec = Rec.of(key, png.length, MediaFixtures.nextSequencer());
        assertTrue(rec.encodedKey().contains("summer+sale+%C3%BC%2B%E2%82%AC+1.png"), rec.encodedKey());

        var report = f.completeHandler().handleRequest(f.event(rec), null);

        var outcome = assertInstanceOf(Outcome.Ignored.class, report.outcomes().getFirst());
        assertTrue(outcome.why().contains("no ticket"), outcome.why());
        assertTrue(f.exists(key), "an object without a ticket must be left alone");
        assertEquals("", f.bannerImage(banner));
    }

    @Test
    void objectWithServerShapedKeyButNoTicket_isLeftAlone() {
        long banner = f.banner();
        String key = "uploads/banner/" + banner + "/" + java.util.UUID.randomUUID() + ".png";
        byte[] png = MediaFixtures.png(2, 2);
        f.put(key, png, "image/png");

        var report = f.completeHandler().handleRequest(f.event(Rec.of(key, png.length, MediaFixtures.nextSequencer())), null);

        assertEquals(List.of(new Outcome.Ignored("no ticket")), report.outcomes());
        assertTrue(f.exists(key));
        assertEquals("", f.bannerImage(banner));
    }

    @Test
    void expiredTicket_countsAsAbsent_evenBeforeDynamoDbDeletesIt() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("banner", banner, "image", png);
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(300).plus(UploadTicket.GRACE).plusSeconds(5));

        var report = f.completeHandler(f.db, later).handleRequest(
                f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);

        var outcome = assertInstanceOf(Outcome.Ignored.class, report.outcomes().getFirst());
        assertTrue(outcome.why().contains("expired"), outcome.why());
        assertEquals(UploadStatus.PENDING, f.ticket(issued.uploadId()).status());
        assertEquals("", f.bannerImage(banner));
        assertTrue(f.exists(issued.key()));
    }

    @Test
    void ticketJustPastUrlExpiry_butWithinGrace_isStillHonoured() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("banner", banner, "image", png);
        Clock late = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(300 + 120));

        var report = f.completeHandler(f.db, late).handleRequest(
                f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);

        assertInstanceOf(Outcome.Stored.class, report.outcomes().getFirst());
        assertEquals(f.servedUrl(issued.key()), f.bannerImage(banner));
    }

    @Test
    void wrongContentType_isRejected_andTheObjectDeleted() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = issue("banner", banner, "image", "image/png", png.length);
        f.put(issued.key(), png, "image/jpeg");

        assertRejected(issued, banner, png.length, "Content-Type");
    }

    @Test
    void wrongSize_isRejected_andTheObjectDeleted() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = issue("banner", banner, "image", "image/png", png.length + 10);
        f.put(issued.key(), png, "image/png");

        assertRejected(issued, banner, png.length, "bytes");
    }

    @Test
    void nonImageBytes_withThePromisedTypeAndSize_areRejected() {
        long banner = f.banner();
        byte[] text = "this is a text file renamed to .png, not an image at all".getBytes(StandardCharsets.UTF_8);
        var issued = issue("banner", banner, "image", "image/png", text.length);
        f.put(issued.key(), text, "image/png");

        assertRejected(issued, banner, text.length, "not a png");
    }

    @Test
    void anotherImageFormat_thanPromised_isRejected() {
        long banner = f.banner();
        byte[] gif = MediaFixtures.gif(2, 2);
        var issued = issue("banner", banner, "image", "image/png", gif.length);
        f.put(issued.key(), gif, "image/png");

        assertRejected(issued, banner, gif.length, "gif");
    }

    @Test
    void jpegAndGif_whenPromised_areStored() {
        long goods = f.goods();
        byte[] jpeg = MediaFixtures.jpeg(4, 4);
        byte[] gif = MediaFixtures.gif(2, 2);
        var j = issue("goods", goods, "gallery", "image/jpeg", jpeg.length);
        var g = issue("goods", goods, "gallery", "image/gif", gif.length);
        f.put(j.key(), jpeg, "image/jpeg");
        f.put(g.key(), gif, "image/gif");

        var report = f.completeHandler().handleRequest(f.event(Rec.of(j.key(), jpeg.length, MediaFixtures.nextSequencer()),
                Rec.of(g.key(), gif.length, MediaFixtures.nextSequencer())), null);

        assertTrue(report.outcomes().stream().allMatch(o -> o instanceof Outcome.Stored), report.toString());
        assertTrue(j.key().endsWith(".jpg") && g.key().endsWith(".gif"));
    }

    private void assertRejected(UploadService.IssuedUpload issued, long banner, long size, String reasonPart) {
        var report = f.completeHandler().handleRequest(f.event(Rec.of(issued.key(), size, MediaFixtures.nextSequencer())),
                null);

        var rejected = assertInstanceOf(Outcome.Rejected.class, report.outcomes().getFirst());
        assertTrue(rejected.reason().contains(reasonPart), rejected.reason());
        UploadTicket t = f.ticket(issued.uploadId());
        assertEquals(UploadStatus.REJECTED, t.status());
        assertEquals(Optional.of(rejected.reason()), t.reason());
        assertEquals(Optional.empty(), t.imageUrl());
        assertEquals("", f.bannerImage(banner));
        assertFalse(f.exists(issued.key()), "a rejected object is deleted");
        assertFalse(f.exists(UploadKey.servedKey(issued.key())), "a rejected object is never served");
    }

    @Test
    void softDeletedGoods_meanwhile_rejectsTheTicket_andWritesNothing() {
        long goods = f.goods();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("goods", goods, "gallery", png);
        f.softDeleteGoods(goods);

        var report = f.completeHandler().handleRequest(
                f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);

        var rejected = assertInstanceOf(Outcome.Rejected.class, report.outcomes().getFirst());
        assertTrue(rejected.reason().contains("no longer exists"), rejected.reason());
        assertEquals(UploadStatus.REJECTED, f.ticket(issued.uploadId()).status());
        assertEquals(List.of(), f.jsonList(f.goodsImages(goods).get("images")));
    }

    @Test
    void fullGallery_rejectsTheTicket_andAppendsNothing() {
        long goods = f.goods();
        List<String> twenty = java.util.stream.IntStream.range(0, TargetRepository.MAX_LIST_IMAGES)
                .mapToObj(i -> "https://img.example/" + i + ".png").toList();
        f.setGallery(goods, twenty);
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("goods", goods, "gallery", png);

        var report = f.completeHandler().handleRequest(
                f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);

        var rejected = assertInstanceOf(Outcome.Rejected.class, report.outcomes().getFirst());
        assertTrue(rejected.reason().contains("full"), rejected.reason());
        assertEquals(twenty, f.jsonList(f.goodsImages(goods).get("images")));
        assertFalse(f.exists(issued.key()));
    }

    @Test
    void bannerRowGone_meanwhile_rejectsTheTicket() {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("banner", banner, "image", png);
        f.deleteBanner(banner);

        var report = f.completeHandler().handleRequest(
                f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null);

        assertInstanceOf(Outcome.Rejected.class, report.outcomes().getFirst());
        assertEquals(UploadStatus.REJECTED, f.ticket(issued.uploadId()).status());
        assertEquals(null, f.bannerImage(banner), "the banner row must not come back");
        assertFalse(f.exists(issued.key()));
        assertFalse(f.exists(UploadKey.servedKey(issued.key())), "the copy made before the target went away is deleted");
    }

    @Test
    void oneInvalidRecord_doesNotStopTheOthers_andDoesNotFailTheInvocation() {
        long banner = f.banner();
        long goods = f.goods();
        byte[] png = MediaFixtures.png(2, 2);
        var bad = issue("banner", banner, "image", "image/png", png.length);
        f.put(bad.key(), new byte[png.length], "image/png");
        var good = uploadPng("goods", goods, "front", png);

        var report = f.completeHandler().handleRequest(f.event(
                Rec.of(bad.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(good.key(), png.length, MediaFixtures.nextSequencer())), null);

        assertInstanceOf(Outcome.Rejected.class, report.outcomes().get(0));
        assertInstanceOf(Outcome.Stored.class, report.outcomes().get(1));
        assertEquals(f.servedUrl(good.key()), f.goodsImages(goods).get("goods_front_image"));
    }

    @Test
    void databaseDownMidBatch_failsTheInvocation_andTheRetryAppliesEveryRecordExactlyOnce() throws Exception {
        long goods = f.goods();
        long banner = f.banner();
        long otherBanner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var first = uploadPng("goods", goods, "gallery", png);
        var second = uploadPng("banner", banner, "image", png);
        var third = issue("banner", otherBanner, "image", "image/png", png.length);
        f.put(third.key(), new byte[png.length], "image/png"); // invalid: needs no database
        var event = f.event(Rec.of(first.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(second.key(), png.length, MediaFixtures.nextSequencer()),
                Rec.of(third.key(), png.length, MediaFixtures.nextSequencer()));

        var endpoints = f.test.stack().endpoints();
        HikariDataSource pool = Database.pool(new DbConfig(endpoints.jdbcUrl(), Optional.empty(), endpoints.dbUser(),
                endpoints.dbPassword(), 2), f.aws, "media-goes-down");
        DataSource diesAfterFirstConnection = new ClosingDataSource(pool, 1);

        var failure = assertThrows(UploadCompleteHandler.UploadBatchFailedException.class,
                () -> f.completeHandler(diesAfterFirstConnection, Clock.systemUTC()).handleRequest(event, null));
        assertTrue(failure.getMessage().startsWith("1 of 3"), failure.getMessage());
        assertTrue(pool.isClosed());

        // Before the failure: applied. The failed one: untouched. After it: still handled.
        assertEquals(List.of(f.servedUrl(first.key())), f.jsonList(f.goodsImages(goods).get("images")));
        assertEquals(UploadStatus.STORED, f.ticket(first.uploadId()).status());
        assertEquals(UploadStatus.PENDING, f.ticket(second.uploadId()).status());
        assertEquals("", f.bannerImage(banner));
        assertEquals(UploadStatus.REJECTED, f.ticket(third.uploadId()).status());

        // Lambda retries the same event once the database is back.
        var retry = f.completeHandler().handleRequest(event, null);

        assertInstanceOf(Outcome.Ignored.class, retry.outcomes().get(0));
        assertInstanceOf(Outcome.Stored.class, retry.outcomes().get(1));
        assertInstanceOf(Outcome.Ignored.class, retry.outcomes().get(2));
        assertEquals(List.of(f.servedUrl(first.key())), f.jsonList(f.goodsImages(goods).get("images")));
        assertEquals(f.servedUrl(second.key()), f.bannerImage(banner));
        assertEquals(UploadStatus.STORED, f.ticket(second.uploadId()).status());
        assertEquals(UploadStatus.REJECTED, f.ticket(third.uploadId()).status());
        assertEquals("", f.bannerImage(otherBanner));
    }

    @Test
    void databaseAtAClosedPort_failsTheInvocation_andLeavesTheTicketPending() throws Exception {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(2, 2);
        var issued = uploadPng("banner", banner, "image", png);
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:mysql://127.0.0.1:" + closedPort + "/shop?connectTimeout=500";
        try (HikariDataSource down = Database.pool(new DbConfig(url, Optional.empty(), "root", "", 1), f.aws, "closed-port")) {
            down.setConnectionTimeout(1_000);
            assertThrows(UploadCompleteHandler.UploadBatchFailedException.class,
                    () -> f.completeHandler(down, Clock.systemUTC()).handleRequest(
                            f.event(Rec.of(issued.key(), png.length, MediaFixtures.nextSequencer())), null));
        }
        assertEquals(UploadStatus.PENDING, f.ticket(issued.uploadId()).status());
        assertTrue(f.exists(issued.key()), "a transient failure must not delete the object");
    }

    /** ClosingDataSource hands out {@code healthy} connections of a real pool, then closes the pool. */
    private static final class ClosingDataSource implements DataSource {
        private final HikariDataSource pool;
        private final int healthy;
        private final AtomicInteger handedOut = new AtomicInteger();

        ClosingDataSource(HikariDataSource pool, int healthy) {
            this.pool = pool;
            this.healthy = healthy;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (handedOut.incrementAndGet() > healthy) {
                pool.close();
            }
            return pool.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
