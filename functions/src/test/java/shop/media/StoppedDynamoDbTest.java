package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import shop.platform.aws.AwsClients;
import shop.platform.deadline.Deadline;
import shop.platform.json.Json;
import shop.stack.Template;
import shop.testing.FreezableProxy;
import shop.testing.OpenApiContract;
import shop.testing.TestContext;

/**
 * A DynamoDB endpoint that stops answering mid-run (a proxy the test freezes in front of the local
 * stand-in): {@code POST /uploads} (its idempotency claim) and {@code GET /uploads/{id}} (the ticket
 * read) each answer 503 problem+json with Retry-After within UploadsApiFunction's timeout from
 * template.yaml, instead of waiting on the SDK's 30 s socket reads and retries until Lambda kills the
 * invocation and API Gateway answers 502/504 by itself; and within the time left of an invocation
 * that has less left than the client's own call bound. Thawed, they serve again.
 */
class StoppedDynamoDbTest {
    private final MediaFixtures f = new MediaFixtures();

    /** timeout is UploadsApiFunction's Timeout in template.yaml (its own, else the Globals one). */
    private static Duration timeout() {
        Template template = Template.loadDefault();
        Object own = template.properties("UploadsApiFunction").get("Timeout");
        Object timeout = own != null ? own : template.globals("Function").get("Timeout");
        return Duration.ofSeconds(Long.parseLong(String.valueOf(timeout)));
    }

    private static APIGatewayProxyRequestEvent post(long banner) {
        APIGatewayProxyRequestEvent e = EventLoader.loadApiGatewayRestEvent("../events/uploads-post-banner-image.json");
        Map<String, String> headers = new HashMap<>(e.getHeaders());
        headers.put("Idempotency-Key", UUID.randomUUID().toString());
        e.setHeaders(headers);
        e.setBody(Json.write(Map.of("target", "banner", "targetId", banner, "slot", "image",
                "contentType", "image/png", "contentLength", 68)));
        return e;
    }

    private static APIGatewayProxyRequestEvent get(String uploadId) {
        APIGatewayProxyRequestEvent e = EventLoader.loadApiGatewayRestEvent("../events/uploads-get-status.json");
        e.setPath("/uploads/" + uploadId);
        e.setPathParameters(Map.of("uploadId", uploadId));
        return e;
    }

    /** Call is an event, the time its invocation has left when it starts, and which bound should end it. */
    private record Call(APIGatewayProxyRequestEvent event, Duration left, boolean cutByDeadline) {
    }

    /** Timed is a response and how long the invocation took. */
    private record Timed(APIGatewayProxyResponseEvent response, long millis) {
    }

    private static Timed invoke(UploadsApiHandler handler, APIGatewayProxyRequestEvent event, Duration timeout) {
        long start = System.nanoTime();
        APIGatewayProxyResponseEvent response = handler.handleRequest(event, new TestContext("stopped-dynamodb", timeout));
        return new Timed(response, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aDynamoDbThatStopsAnswering_gets503WithRetryAfter_withinTheFunctionsTimeout() throws Exception {
        Duration timeout = timeout();
        assertTrue(timeout.compareTo(Deadline.GATEWAY_LIMIT) < 0, "UploadsApiFunction's timeout: " + timeout);
        URI dynamo = URI.create(f.env.require("DYNAMODB_ENDPOINT"));
        ExecutorService calls = Executors.newFixedThreadPool(4);
        try (FreezableProxy proxy = new FreezableProxy(dynamo.getHost(), dynamo.getPort())) {
            UploadsApiHandler handler = new UploadsApiHandler(f.test.env(Map.of(
                    "DYNAMODB_ENDPOINT", "http://127.0.0.1:" + proxy.port(),
                    "PUBLIC_IMAGE_BASE_URL", f.cdn)));
            long banner = f.banner();
            String uploadId;
            try {
                Timed issued = invoke(handler, post(banner), timeout);
                assertEquals(201, issued.response().getStatusCode(), "through the proxy: " + issued.response().getBody());
                uploadId = Json.MAPPER.readTree(issued.response().getBody()).get("uploadId").asText();
                assertEquals(200, invoke(handler, get(uploadId), timeout).response().getStatusCode());

                proxy.freeze();
                // With the function's whole timeout, the client's own call bound ends each call first
                // (AwsClients.DYNAMODB_TIMEOUTS); with less time left than that bound (an invocation
                // late in its life), the request's deadline does (SdkDeadline).
                Duration late = AwsClients.DYNAMODB_TIMEOUTS.call().dividedBy(2);
                List<Call> frozen = List.of(new Call(post(banner), timeout, false), new Call(get(uploadId), timeout, false),
                        new Call(post(banner), late, true), new Call(get(uploadId), late, true));
                List<Future<Timed>> running = frozen.stream()
                        .map(c -> calls.submit(() -> invoke(handler, c.event(), c.left()))).toList();
                for (int i = 0; i < frozen.size(); i++) {
                    Call call = frozen.get(i);
                    Timed timed = running.get(i).get(90, TimeUnit.SECONDS);
                    APIGatewayProxyResponseEvent r = timed.response();
                    String what = call.event().getHttpMethod() + " " + call.event().getResource() + " with "
                            + call.left().toMillis() + " ms left";
                    assertEquals(503, r.getStatusCode(), what + ": " + r.getBody());
                    assertEquals("application/problem+json", r.getHeaders().get("Content-Type"), what);
                    assertTrue(Integer.parseInt(r.getHeaders().get("Retry-After")) >= 1, what + ": " + r.getHeaders());
                    JsonNode problem = Json.MAPPER.readTree(r.getBody());
                    assertEquals("https://shop.example/problems/" + (call.cutByDeadline()
                            ? "deadline-exceeded" : "dependency-unavailable"), problem.path("type").asText(),
                            what + ": " + r.getBody());
                    String named = problem.path(call.cutByDeadline() ? "waitingFor" : "dependency").asText();
                    assertEquals(call.event().getHttpMethod().equals("POST") ? "the idempotency table"
                            : "the upload tickets table", named, what + ": " + r.getBody());
                    OpenApiContract.get().check(call.event(), r);
                    assertTrue(timed.millis() < call.left().toMillis(), what + ": answered after " + timed.millis()
                            + " ms, later than Lambda would have ended the invocation");
                }
            } finally {
                proxy.thaw();
            }
            assertEquals(200, invoke(handler, get(uploadId), timeout).response().getStatusCode(), "serving again");
        } finally {
            calls.shutdownNow();
        }
    }
}
