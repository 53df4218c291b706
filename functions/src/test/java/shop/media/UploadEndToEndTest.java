package shop.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import shop.media.MediaFixtures.Rec;
import shop.platform.json.Json;

/**
 * The whole flow as a browser and S3 drive it: POST /uploads, an HTTP PUT of real image bytes to the
 * presigned URL on the local S3, the S3 event into UploadCompleteHandler, GET /uploads/{id}. Both
 * handlers are wired from their environment, as the local runner and Lambda build them.
 */
class UploadEndToEndTest {
    private final MediaFixtures f = new MediaFixtures();
    private final UploadsApiHandler api = new UploadsApiHandler(f.env);
    private final UploadCompleteHandler complete = new UploadCompleteHandler(f.env);
    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode issue(String target, long id, String slot, String type, long length) throws Exception {
        APIGatewayProxyRequestEvent e = EventLoader.loadApiGatewayRestEvent("../events/uploads-post-banner-image.json");
        e.setHeaders(Map.of("Content-Type", "application/json", "Idempotency-Key", UUID.randomUUID().toString()));
        e.setBody(Json.write(Map.of("target", target, "targetId", id, "slot", slot, "contentType", type,
                "contentLength", length)));
        var r = api.handleRequest(e, null);
        assertEquals(201, r.getStatusCode(), r.getBody());
        return Json.MAPPER.readTree(r.getBody());
    }

    private int put(JsonNode issued, byte[] bytes) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(issued.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        issued.get("headers").fields().forEachRemaining(h -> b.header(h.getKey(), h.getValue().asText()));
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode status(String uploadId) throws Exception {
        APIGatewayProxyRequestEvent e = EventLoader.loadApiGatewayRestEvent("../events/uploads-get-status.json");
        e.setPath("/uploads/" + uploadId);
        e.setPathParameters(Map.of("uploadId", uploadId));
        var r = api.handleRequest(e, null);
        assertEquals(200, r.getStatusCode(), r.getBody());
        return Json.MAPPER.readTree(r.getBody());
    }

    @Test
    void presign_put_event_status_bannerImageStoredAndServed() throws Exception {
        long banner = f.banner();
        byte[] png = MediaFixtures.png(8, 6);
        JsonNode issued = issue("banner", banner, "image", "image/png", png.length);

        assertEquals(200, put(issued, png));
        assertEquals("PENDING", status(issued.get("uploadId").asText()).get("status").asText());
        var report = complete.handleRequest(f.event(Rec.of(issued.get("key").asText(), png.length,
                MediaFixtures.nextSequencer())), null);

        assertInstanceOf(UploadCompletion.Outcome.Stored.class, report.outcomes().getFirst());
        JsonNode st = status(issued.get("uploadId").asText());
        assertEquals("STORED", st.get("status").asText());
        String imageUrl = st.get("imageUrl").asText();
        String key = issued.get("key").asText();
        assertEquals(f.cdn + "/images/" + key.substring("uploads/".length()), imageUrl);
        assertEquals(imageUrl, f.bannerImage(banner));

        // Served through the local stand-in of the CloudFront distribution, as deployed.
        var served = http.send(HttpRequest.newBuilder(URI.create(imageUrl)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, served.statusCode());
        assertArrayEquals(png, served.body());
        assertEquals("image/png", served.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("nosniff", served.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("public, max-age=31536000, immutable", served.headers().firstValue("Cache-Control").orElseThrow());

        // Its upload key is not served: the object is gone, and uploads/ would be refused anyway.
        var upload = http.send(HttpRequest.newBuilder(URI.create(f.cdn + "/" + key)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, upload.statusCode());
        assertFalse(f.exists(key));
    }

    @Test
    void presign_put_event_status_goodsGalleryAppended() throws Exception {
        long goods = f.goods();
        byte[] jpeg = MediaFixtures.jpeg(5, 5);
        JsonNode issued = issue("goods", goods, "gallery", "image/jpeg", jpeg.length);

        assertEquals(200, put(issued, jpeg));
        complete.handleRequest(f.event(Rec.of(issued.get("key").asText(), jpeg.length, MediaFixtures.nextSequencer())),
                null);

        JsonNode st = status(issued.get("uploadId").asText());
        assertEquals("STORED", st.get("status").asText());
        assertEquals(List.of(st.get("imageUrl").asText()), f.jsonList(f.goodsImages(goods).get("images")));
    }

    @Test
    void textFileRenamedPng_putThroughThePresignedUrl_isRejectedWithAReason_andNothingRecorded() throws Exception {
        long banner = f.banner();
        byte[] text = "hello, I am not a picture\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        JsonNode issued = issue("banner", banner, "image", "image/png", text.length);

        assertEquals(200, put(issued, text)); // S3Mock (unlike S3) does not check the signature: the handler must
        complete.handleRequest(f.event(Rec.of(issued.get("key").asText(), text.length, MediaFixtures.nextSequencer())),
                null);

        JsonNode st = status(issued.get("uploadId").asText());
        assertEquals("REJECTED", st.get("status").asText());
        assertEquals("the bytes are not a png image (nor any accepted image format)", st.get("reason").asText());
        assertFalse(st.has("imageUrl"));
        assertEquals("", f.bannerImage(banner));
        assertFalse(f.exists(issued.get("key").asText()));
    }
}
