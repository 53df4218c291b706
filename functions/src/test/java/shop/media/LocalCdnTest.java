package shop.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import shop.stack.Template;

/**
 * The local stand-in of the images distribution ({@code shop.stack.LocalCdn}), which the stack
 * starts and PUBLIC_IMAGE_BASE_URL points at, serves what the deployed distribution would: objects
 * under images/ with their own headers and the response headers policy's, and nothing else, an
 * existing upload included. Its rules come from template.yaml; these checks compare with the
 * template read here on its own.
 */
class LocalCdnTest {
    private final MediaFixtures f = new MediaFixtures();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Object> policy = Template.map(Template.loadDefault()
            .properties("ImagesResponseHeadersPolicy").get("ResponseHeadersPolicyConfig"));

    private HttpResponse<byte[]> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(f.cdn + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private String csp() {
        return (String) Template.map(Template.map(policy.get("SecurityHeadersConfig")).get("ContentSecurityPolicy"))
                .get("ContentSecurityPolicy");
    }

    private void assertPolicyHeaders(HttpResponse<?> r) {
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), r.headers().toString());
        assertEquals(csp(), r.headers().firstValue("Content-Security-Policy").orElse(null));
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null));
        assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null));
        assertEquals("cross-origin", r.headers().firstValue("Cross-Origin-Resource-Policy").orElse(null));
    }

    @Test
    void anImageUnderImages_isServed_withItsOwnHeaders_andThePolicysHeaders() throws Exception {
        String key = "images/banner/1/" + UUID.randomUUID() + ".png";
        byte[] png = MediaFixtures.png(3, 3);
        f.s3.putObject(r -> r.bucket(f.bucket).key(key).contentType("image/png").cacheControl(UploadCompletion.CACHE_CONTROL)
                .contentDisposition("inline; filename=\"x.png\""), software.amazon.awssdk.core.sync.RequestBody.fromBytes(png));

        var r = send("GET", "/" + key);

        assertEquals(200, r.statusCode());
        assertArrayEquals(png, r.body());
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(UploadCompletion.CACHE_CONTROL, r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("inline; filename=\"x.png\"", r.headers().firstValue("Content-Disposition").orElseThrow());
        assertTrue(r.headers().firstValue("ETag").isPresent());
        assertPolicyHeaders(r);

        var head = send("HEAD", "/" + key);
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(Long.toString(png.length), head.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void anExistingUpload_isRefused_likeAMissingImage_withThePolicysHeaders() throws Exception {
        String upload = "uploads/banner/1/" + UUID.randomUUID() + ".png";
        f.put(upload, MediaFixtures.png(2, 2), "image/png"); // no ticket: it stays in the bucket
        assertTrue(f.exists(upload));

        var refused = send("GET", "/" + upload);
        var missing = send("GET", "/images/banner/1/" + UUID.randomUUID() + ".png");

        for (var r : java.util.List.of(refused, missing)) {
            assertEquals(403, r.statusCode());
            assertTrue(new String(r.body()).contains("<Code>AccessDenied</Code>"), new String(r.body()));
            assertEquals("application/xml", r.headers().firstValue("Content-Type").orElseThrow());
            assertPolicyHeaders(r);
        }
    }

    @Test
    void keysOutsideImages_theRoot_andMethodsOtherThanGetAndHead_areRefused() throws Exception {
        String other = "elsewhere/" + UUID.randomUUID() + ".png";
        f.put(other, MediaFixtures.png(2, 2), "image/png");
        String image = "images/brand/1/" + UUID.randomUUID() + ".png";
        f.put(image, MediaFixtures.png(2, 2), "image/png");

        assertEquals(403, send("GET", "/" + other).statusCode());
        assertEquals(403, send("GET", "/").statusCode());
        assertEquals(403, send("GET", "/images/../" + other.replace("/", "%2F")).statusCode());
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            assertEquals(403, send(method, "/" + image).statusCode(), method);
        }
        assertTrue(f.exists(image), "a DELETE through the distribution changes nothing");
        assertFalse(f.cdn.endsWith("/"));
    }
}
