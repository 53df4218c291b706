package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The local S3 answers the browser's CORS preflight for a PUT to a presigned URL, as the bucket's
 * CorsConfiguration in template.yaml does on AWS; otherwise the admin page cannot upload locally.
 */
class S3MockCorsTest {
    private final MediaFixtures f = new MediaFixtures();

    @Test
    void preflightForPut_withContentType_isAllowed() throws Exception {
        long banner = f.banner();
        var issued = f.service(java.time.Clock.systemUTC()).issue(
                new UploadService.UploadRequest("banner", banner, "image", "image/png", 68L), "admin-test");
        HttpRequest preflight = HttpRequest.newBuilder(URI.create(issued.url()))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://127.0.0.1:3000")
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type")
                .build();

        HttpResponse<String> r = HttpClient.newHttpClient().send(preflight, HttpResponse.BodyHandlers.ofString());

        String allowOrigin = r.headers().firstValue("Access-Control-Allow-Origin").orElse("");
        String allowMethods = r.headers().firstValue("Access-Control-Allow-Methods").orElse("");
        String allowHeaders = r.headers().firstValue("Access-Control-Allow-Headers").orElse("");
        String all = r.statusCode() + " " + r.headers().map();
        assertTrue(r.statusCode() == 200 || r.statusCode() == 204, all);
        assertTrue(allowOrigin.equals("*") || allowOrigin.equals("http://127.0.0.1:3000"), all);
        assertTrue(allowMethods.toUpperCase(Locale.ROOT).contains("PUT") || allowMethods.equals("*"), all);
        assertTrue(allowHeaders.toLowerCase(Locale.ROOT).contains("content-type") || allowHeaders.equals("*"), all);
        assertEquals(false, f.exists(issued.key()));

        // The PUT itself must carry Access-Control-Allow-Origin too, or fetch() fails after uploading.
        byte[] png = MediaFixtures.png(2, 2);
        var issuedPut = f.service(java.time.Clock.systemUTC()).issue(
                new UploadService.UploadRequest("banner", banner, "image", "image/png", (long) png.length), "admin-test");
        HttpResponse<Void> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(issuedPut.url()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).header("Content-Type", "image/png")
                .header("Origin", "http://127.0.0.1:3000").build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, put.statusCode());
        String putOrigin = put.headers().firstValue("Access-Control-Allow-Origin").orElse("");
        assertTrue(putOrigin.equals("*") || putOrigin.equals("http://127.0.0.1:3000"), put.headers().map().toString());
    }
}
