package shop.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.imageio.ImageIO;

/**
 * SmokeScenario exercises a running stage over HTTP, the way a shopper and an admin would: health,
 * a public goods read, a write without a token (401 from the authorizer's gateway response) and,
 * with a token, an image upload round trip: a throwaway brand, a presigned upload of its logo
 * straight to S3, the upload-complete function verifying it, the image fetched from the URL the API
 * returns (CloudFront when deployed, which must send {@code nosniff}), and the brand deleted again.
 */
public final class SmokeScenario {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Step is one check of the scenario.
     *
     * @param name   what was checked
     * @param passed whether it held
     * @param detail what was seen
     */
    public record Step(String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "ok    " : "FAILED") + "  " + name + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    private final URI base;
    private final Optional<String> token;
    private final Duration uploadDeadline;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /**
     * @param base           the stage URL ({@code https://ID.execute-api.REGION.amazonaws.com/prod})
     * @param token          an admin bearer token for the upload round trip, or empty to skip it
     * @param uploadDeadline how long to wait for the upload to be verified
     */
    public SmokeScenario(URI base, Optional<String> token, Duration uploadDeadline) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.uploadDeadline = uploadDeadline;
    }

    /** run runs every step it can and returns them; a failed step does not stop the independent ones. */
    public List<Step> run() {
        List<Step> steps = new ArrayList<>();
        steps.add(step("GET /health answers 200", () -> {
            var r = send(request("/health").GET(), false);
            return expect(r, 200);
        }));
        steps.add(step("GET /goods?pageSize=1 answers 200 with JSON, no token", () -> {
            var r = send(request("/goods?pageSize=1").GET(), false);
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (!type.contains("json")) {
                throw new IllegalStateException("Content-Type " + type);
            }
            return expect(r, 200);
        }));
        steps.add(step("POST /brands without a token answers 401", () -> {
            var r = send(request("/brands").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"smoke-no-token\"}")), false);
            return expect(r, 401);
        }));
        if (token.isPresent()) {
            steps.addAll(uploadRoundTrip());
        }
        return steps;
    }

    private List<Step> uploadRoundTrip() {
        List<Step> steps = new ArrayList<>();
        String name = "smoke-" + UUID.randomUUID().toString().substring(0, 8);
        long[] brand = {-1};
        steps.add(step("POST /brands with the token creates a throwaway brand", () -> {
            var r = send(request("/brands").header("Content-Type", "application/json")
                    .header("Idempotency-Key", name).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")), true);
            expect(r, 201);
            brand[0] = JSON.readTree(r.body()).path("id").asLong(-1);
            return "brand " + brand[0];
        }));
        if (brand[0] < 0) {
            return steps;
        }
        try {
            byte[] png = png();
            String[] imageUrl = {null};
            steps.add(step("presigned upload of its logo is verified and stored", () -> {
                var issued = send(request("/uploads").header("Content-Type", "application/json").POST(
                        HttpRequest.BodyPublishers.ofString("{\"target\":\"brand\",\"targetId\":" + brand[0]
                                + ",\"slot\":\"logo\",\"contentType\":\"image/png\",\"contentLength\":" + png.length + "}")), true);
                expect(issued, 201);
                JsonNode upload = JSON.readTree(issued.body());
                HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.path("url").asText()))
                        .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofByteArray(png));
                upload.path("headers").fields().forEachRemaining(h -> {
                    if (!List.of("content-length", "host").contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                        put.header(h.getKey(), h.getValue().asText());
                    }
                });
                var stored = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
                if (stored.statusCode() != 200) {
                    throw new IllegalStateException("PUT to the presigned URL answered " + stored.statusCode() + ": " + stored.body());
                }
                String uploadId = upload.path("uploadId").asText();
                long deadline = System.nanoTime() + uploadDeadline.toNanos();
                while (true) {
                    JsonNode view = JSON.readTree(send(request("/uploads/" + uploadId).GET(), true).body());
                    String status = view.path("status").asText();
                    if (status.equals("STORED")) {
                        imageUrl[0] = view.path("imageUrl").asText();
                        return uploadId + " STORED at " + imageUrl[0];
                    }
                    if (!status.equals("PENDING") || System.nanoTime() > deadline) {
                        throw new IllegalStateException("upload " + uploadId + " is " + status + " " + view.path("reason").asText(""));
                    }
                    Thread.sleep(500);
                }
            }));
            if (imageUrl[0] != null) {
                steps.add(step("the stored image is served from the URL the API returns", () -> {
                    var r = http.send(HttpRequest.newBuilder(URI.create(imageUrl[0])).timeout(Duration.ofSeconds(30)).GET()
                            .build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200 || !Arrays.equals(r.body(), png)) {
                        throw new IllegalStateException(r.statusCode() + ", " + r.body().length + " bytes (uploaded " + png.length + ")");
                    }
                    String nosniff = r.headers().firstValue("X-Content-Type-Options").orElse("");
                    // Deployed, the image comes through CloudFront's response headers policy, which sets it.
                    if (imageUrl[0].startsWith("https://") && !nosniff.equalsIgnoreCase("nosniff")) {
                        throw new IllegalStateException("no X-Content-Type-Options: nosniff");
                    }
                    return "200, " + r.body().length + " bytes" + (nosniff.isEmpty() ? "" : ", nosniff");
                }));
            }
        } finally {
            steps.add(step("DELETE /brands/{id} removes the throwaway brand", () -> {
                var r = send(request("/brands/" + brand[0]).DELETE(), true);
                if (r.statusCode() != 204 && r.statusCode() != 200) {
                    throw new IllegalStateException("answered " + r.statusCode() + ": " + r.body());
                }
                return "" + r.statusCode();
            }));
        }
        return steps;
    }

    private interface Check {
        String run() throws Exception;
    }

    private static Step step(String name, Check check) {
        try {
            return new Step(name, true, check.run());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Step(name, false, "interrupted");
        } catch (Exception e) {
            return new Step(name, false, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(HttpRequest.Builder request, boolean authorized) throws IOException, InterruptedException {
        if (authorized) {
            request.header("Authorization", "Bearer " + token.orElseThrow());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            String body = r.body() == null ? "" : r.body();
            throw new IllegalStateException("answered " + r.statusCode() + " not " + status + ": "
                    + body.substring(0, Math.min(200, body.length())));
        }
        return "" + status;
    }

    private static byte[] png() {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0x3366ff);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
