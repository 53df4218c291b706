package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import shop.platform.idempotency.DynamoIdempotencyStore;
import shop.platform.idempotency.Idempotency;
import shop.platform.json.Json;
import shop.testing.OpenApiContract;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** UploadsApiHandler on the real local stack, fed with the events/ samples. */
class UploadsApiHandlerTest {
    private static final String PROBLEM = "https://shop.example/problems/";
    private final MediaFixtures f = new MediaFixtures();
    // Every response is checked against docs/openapi.yaml before the test looks at it.
    private final RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler =
            OpenApiContract.checked(new UploadsApiHandler(f.service(Clock.systemUTC()),
                    new Idempotency(new DynamoIdempotencyStore(f.dynamo, f.env.require("IDEMPOTENCY_TABLE"),
                            Duration.ofHours(24), Duration.ofSeconds(60)), Clock.systemUTC())));

    private static APIGatewayProxyRequestEvent post(String body) {
        APIGatewayProxyRequestEvent e = EventLoader.loadApiGatewayRestEvent("../events/uploads-post-banner-image.json");
        Map<String, String> headers = new HashMap<>(e.getHeaders());
        headers.put("Idempotency-Key", UUID.randomUUID().toString());
        e.setHeaders(headers);
        e.setBody(body);
        return e;
    }

    private static APIGatewayProxyRequestEvent get(String uploadId) {
        APIGatewayProxyRequestEvent e = EventLoader.loadApiGatewayRestEvent("../events/uploads-get-status.json");
        e.setPath("/uploads/" + uploadId);
        e.setPathParameters(Map.of("uploadId", uploadId));
        return e;
    }

    private static String body(String target, long id, String slot, String type, long length) {
        return Json.write(Map.of("target", target, "targetId", id, "slot", slot, "contentType", type,
                "contentLength", length));
    }

    private static JsonNode json(APIGatewayProxyResponseEvent r) throws Exception {
        return Json.MAPPER.readTree(r.getBody());
    }

    @Test
    void sampleEvent_issuesPresignedPut_andStoresPendingTicket() throws Exception {
        long banner = f.banner();
        APIGatewayProxyRequestEvent e = EventLoader.loadApiGatewayRestEvent("../events/uploads-post-banner-image.json");
        JsonNode sampleBody = Json.MAPPER.readTree(e.getBody());
        e.setBody(body("banner", banner, "image", "image/png", sampleBody.get("contentLength").asLong()));
        e.setHeaders(Map.of("Content-Type", "application/json", "Idempotency-Key", UUID.randomUUID().toString()));
        Instant before = Instant.now();

        APIGatewayProxyResponseEvent r = handler.handleRequest(e, null);

        assertEquals(201, r.getStatusCode(), r.getBody());
        JsonNode b = json(r);
        String uploadId = b.get("uploadId").asText();
        assertTrue(UploadKey.isUploadId(uploadId), uploadId);
        assertEquals("PUT", b.get("method").asText());
        assertEquals("uploads/banner/" + banner + "/" + uploadId + ".png", b.get("key").asText());
        assertEquals(Map.of("Content-Type", "image/png"), Json.MAPPER.convertValue(b.get("headers"), Map.class));
        String url = b.get("url").asText();
        assertTrue(url.startsWith(f.test.stack().endpoints().s3Endpoint() + "/" + f.bucket + "/" + b.get("key").asText()),
                url);
        assertTrue(url.contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"), url);
        Instant expiresAt = Instant.parse(b.get("expiresAt").asText());
        assertTrue(!expiresAt.isBefore(before.plusSeconds(299)) && !expiresAt.isAfter(Instant.now().plusSeconds(301)),
                expiresAt.toString());
        assertEquals("/uploads/" + uploadId, r.getHeaders().get("Location"));

        UploadTicket t = f.ticket(uploadId);
        assertEquals(UploadStatus.PENDING, t.status());
        assertEquals(b.get("key").asText(), t.key());
        assertEquals(UploadTarget.BANNER, t.target());
        assertEquals(banner, t.targetId());
        assertEquals("image", t.slot());
        assertEquals(ImageType.PNG, t.type());
        assertEquals(sampleBody.get("contentLength").asLong(), t.contentLength());
        assertEquals(expiresAt, t.expiresAt());
        assertEquals(expiresAt.plus(UploadTicket.GRACE), t.validUntil());
        assertEquals("admin-1", t.requestedBy());
        Map<String, AttributeValue> raw = f.dynamo.getItem(g -> g.tableName(f.ticketsTable)
                .key(Map.of("uploadId", AttributeValue.fromS(uploadId)))).item();
        assertTrue(Long.parseLong(raw.get("ttl").n()) > t.validUntil().getEpochSecond() - 1, raw.toString());

        APIGatewayProxyResponseEvent status = handler.handleRequest(get(uploadId), null);
        assertEquals(200, status.getStatusCode(), status.getBody());
        assertEquals(Map.of("uploadId", uploadId, "status", "PENDING"), Json.MAPPER.readValue(status.getBody(), Map.class));
    }

    @Test
    void sameIdempotencyKey_answersTheFirstUploadAgain_andStoresOneTicket() throws Exception {
        long goods = f.goods();
        APIGatewayProxyRequestEvent e = post(body("goods", goods, "gallery", "image/webp", 1000));
        int before = f.ticketCount();

        APIGatewayProxyResponseEvent first = handler.handleRequest(e, null);
        APIGatewayProxyResponseEvent second = handler.handleRequest(e, null);

        assertEquals(201, first.getStatusCode(), first.getBody());
        assertEquals(201, second.getStatusCode(), second.getBody());
        assertEquals(json(first).get("uploadId"), json(second).get("uploadId"));
        assertTrue(json(first).get("key").asText().endsWith(".webp"));
        assertEquals("true", second.getHeaders().get("Idempotent-Replayed"));
        assertEquals(before + 1, f.ticketCount());

        e.setBody(body("goods", goods, "gallery", "image/webp", 1001));
        APIGatewayProxyResponseEvent reused = handler.handleRequest(e, null);
        assertEquals(409, reused.getStatusCode());
        assertEquals(PROBLEM + "idempotency-key-reused", json(reused).get("type").asText());
        assertEquals(before + 1, f.ticketCount());
    }

    @Test
    void ticketStoredByAnInvocationThatDiedBeforeItsResponseWasKept_isAnsweredAgain_notIssuedTwice() throws Exception {
        long goods = f.goods();
        APIGatewayProxyRequestEvent e = post(body("goods", goods, "front", "image/png", 500));
        shop.testing.MutableClock clock = new shop.testing.MutableClock();
        UploadTicketRepository dying = new UploadTicketRepository() {
            @Override
            public boolean create(UploadTicket ticket) {
                f.tickets.create(ticket);
                throw new shop.testing.HookedDataSource.InvocationKilled("after the ticket was stored");
            }

            @Override
            public Optional<UploadTicket> find(String uploadId) {
                return f.tickets.find(uploadId);
            }

            @Override
            public boolean transition(String uploadId, UploadStatus from, Optional<String> fromSequencer,
                                      UploadStatus to, String sequencer, Optional<String> imageUrl,
                                      Optional<String> reason, Instant now) {
                throw new UnsupportedOperationException();
            }
        };
        var store = new DynamoIdempotencyStore(f.dynamo, f.env.require("IDEMPOTENCY_TABLE"), Duration.ofHours(24),
                Duration.ofSeconds(60));
        var killed = new UploadsApiHandler(new UploadService(dying, new JdbcTargetRepository(f.db), f.objects,
                new UploadService.Limits(MediaFixtures.MAX_BYTES, Duration.ofSeconds(300)), clock),
                new Idempotency(store, clock));
        int before = f.ticketCount();
        org.junit.jupiter.api.Assertions.assertThrows(shop.testing.HookedDataSource.InvocationKilled.class,
                () -> killed.handleRequest(e, null));
        assertEquals(before + 1, f.ticketCount());

        clock.advance(Duration.ofSeconds(61)); // a killed invocation releases nothing: its lease runs out
        var retryHandler = OpenApiContract.checked(new UploadsApiHandler(f.service(clock), new Idempotency(store, clock)));
        APIGatewayProxyResponseEvent retry = retryHandler.handleRequest(e, null);
        assertEquals(201, retry.getStatusCode(), retry.getBody());
        String uploadId = json(retry).get("uploadId").asText();
        assertEquals(before + 1, f.ticketCount(), "the retry issued a second ticket");
        UploadTicket t = f.tickets.find(uploadId).orElseThrow();
        assertEquals(t.key(), json(retry).get("key").asText());
        assertEquals(t.expiresAt(), Instant.parse(json(retry).get("expiresAt").asText()));
        assertEquals("/uploads/" + uploadId, retry.getHeaders().get("Location"));
        assertEquals(uploadId, json(retryHandler.handleRequest(e, null)).get("uploadId").asText());
    }

    @Test
    void rejectedPost_releasesItsKey_soACorrectedBodyWithTheSameKeyIssuesAtOnce() throws Exception {
        long banner = f.banner();
        APIGatewayProxyRequestEvent e = post(body("banner", banner, "image", "image/tiff", 100));
        int before = f.ticketCount();
        assertEquals(400, handler.handleRequest(e, null).getStatusCode());
        e.setBody(body("banner", banner, "image", "image/png", 100));
        APIGatewayProxyResponseEvent fixed = handler.handleRequest(e, null);
        assertEquals(201, fixed.getStatusCode(), fixed.getBody());
        assertEquals(before + 1, f.ticketCount());
        assertEquals(json(fixed).get("uploadId"), json(handler.handleRequest(e, null)).get("uploadId"));
    }

    @Test
    void withoutIdempotencyKey_eachPostIssuesItsOwnUpload() throws Exception {
        long brand = f.brand();
        APIGatewayProxyRequestEvent e = post(body("brand", brand, "logo", "image/jpeg", 2048));
        e.setHeaders(Map.of("Content-Type", "application/json"));

        var a = handler.handleRequest(e, null);
        var b = handler.handleRequest(e, null);

        assertEquals(201, a.getStatusCode(), a.getBody());
        assertNotEquals(json(a).get("uploadId"), json(b).get("uploadId"));
        assertTrue(json(a).get("key").asText().matches("uploads/brand/" + brand + "/[0-9a-f-]{36}\\.jpg"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown target          | {"target":"category","targetId":1,"slot":"image","contentType":"image/png","contentLength":10}   | target
            slot of another target  | {"target":"banner","targetId":1,"slot":"front","contentType":"image/png","contentLength":10}     | slot
            goods slot for brand    | {"target":"brand","targetId":1,"slot":"gallery","contentType":"image/png","contentLength":10}    | slot
            text type               | {"target":"banner","targetId":1,"slot":"image","contentType":"text/plain","contentLength":10}    | contentType
            svg type                | {"target":"banner","targetId":1,"slot":"image","contentType":"image/svg+xml","contentLength":10} | contentType
            type with parameters    | {"target":"banner","targetId":1,"slot":"image","contentType":"image/png; x=1","contentLength":10}| contentType
            zero bytes              | {"target":"banner","targetId":1,"slot":"image","contentType":"image/png","contentLength":0}      | contentLength
            over the maximum        | {"target":"banner","targetId":1,"slot":"image","contentType":"image/png","contentLength":65537}  | contentLength
            length as a string      | {"target":"banner","targetId":1,"slot":"image","contentType":"image/png","contentLength":"10"}   | contentLength
            length as a fraction    | {"target":"banner","targetId":1,"slot":"image","contentType":"image/png","contentLength":1.5}    | contentLength
            negative target id      | {"target":"banner","targetId":-1,"slot":"image","contentType":"image/png","contentLength":10}    | targetId
            missing target id       | {"target":"banner","slot":"image","contentType":"image/png","contentLength":10}                  | targetId
            client file name        | {"target":"banner","targetId":1,"slot":"image","contentType":"image/png","contentLength":10,"fileName":"../x.png"} | fileName
            upper-case target       | {"target":"BANNER","targetId":1,"slot":"image","contentType":"image/png","contentLength":10}     | target
            """)
    void badInput_is400NamingTheField_andStoresNothing(String name, String body, String field) throws Exception {
        long banner = f.banner();
        int before = f.ticketCount();

        APIGatewayProxyResponseEvent r = handler.handleRequest(post(body.replace("\"targetId\":1", "\"targetId\":" + banner)), null);

        assertEquals(400, r.getStatusCode(), r.getBody());
        assertEquals("application/problem+json", r.getHeaders().get("Content-Type"));
        JsonNode p = json(r);
        assertEquals(PROBLEM + "invalid-input", p.get("type").asText());
        List<String> fields = p.get("errors").findValuesAsText("field");
        assertTrue(fields.contains(field), fields.toString());
        assertEquals(before, f.ticketCount(), "a rejected request stored a ticket");
        assertEquals("", f.bannerImage(banner));
    }

    @Test
    void emptyOrMalformedBody_is400_andStoresNothing() throws Exception {
        int before = f.ticketCount();
        for (String body : new String[] {"", "{", "[]", "{}"}) {
            APIGatewayProxyResponseEvent r = handler.handleRequest(post(body), null);
            assertEquals(400, r.getStatusCode(), body + " -> " + r.getBody());
            assertEquals(PROBLEM + "invalid-input", json(r).get("type").asText());
        }
        assertEquals(before, f.ticketCount());
    }

    @Test
    void unknownOrDeletedTarget_is404_andStoresNothing() throws Exception {
        long goods = f.goods();
        f.softDeleteGoods(goods);
        long banner = f.banner();
        f.deleteBanner(banner);
        int before = f.ticketCount();

        for (String body : List.of(body("goods", goods, "front", "image/png", 10),
                body("banner", banner, "image", "image/png", 10),
                body("brand", Long.MAX_VALUE, "logo", "image/png", 10))) {
            APIGatewayProxyResponseEvent r = handler.handleRequest(post(body), null);
            assertEquals(404, r.getStatusCode(), r.getBody());
            assertEquals(PROBLEM + "not-found", json(r).get("type").asText());
        }
        assertEquals(before, f.ticketCount());
    }

    @Test
    void anonymousIs401_andServiceRoleIs403_onBothRoutes_andNothingIsStored() throws Exception {
        long banner = f.banner();
        int before = f.ticketCount();
        String uploadId = f.service(Clock.systemUTC()).issue(
                new UploadService.UploadRequest("banner", banner, "image", "image/png", 10L), "admin-test").uploadId();

        for (var e : List.of(post(body("banner", banner, "image", "image/png", 10)), get(uploadId))) {
            e.getRequestContext().setAuthorizer(null);
            assertEquals(401, handler.handleRequest(e, null).getStatusCode());
            e.getRequestContext().setAuthorizer(Map.of("principalId", "svc", "roles", "service"));
            APIGatewayProxyResponseEvent r = handler.handleRequest(e, null);
            assertEquals(403, r.getStatusCode());
            assertEquals(PROBLEM + "forbidden", json(r).get("type").asText());
        }
        assertEquals(before + 1, f.ticketCount());
    }

    @Test
    void getStatus_of_unknownOrMalformedId_is404_andUnknownQueryIs400() throws Exception {
        assertEquals(404, handler.handleRequest(get(UUID.randomUUID().toString()), null).getStatusCode());
        assertEquals(404, handler.handleRequest(get("../../etc"), null).getStatusCode());
        assertEquals(404, handler.handleRequest(get(UUID.randomUUID().toString().toUpperCase()), null).getStatusCode());
        var e = get(UUID.randomUUID().toString());
        e.setQueryStringParameters(Map.of("verbose", "1"));
        assertEquals(400, handler.handleRequest(e, null).getStatusCode());
    }

    @Test
    void getStatus_reportsRejectedWithReason_andStoredWithUrl() throws Exception {
        long banner = f.banner();
        var service = f.service(Clock.systemUTC());
        String rejected = service.issue(new UploadService.UploadRequest("banner", banner, "image", "image/png", 10L), "a").uploadId();
        String stored = service.issue(new UploadService.UploadRequest("banner", banner, "image", "image/png", 10L), "a").uploadId();
        f.tickets.transition(rejected, UploadStatus.PENDING, Optional.empty(), UploadStatus.REJECTED, "01",
                Optional.empty(), Optional.of("the bytes are not a png image"), Instant.now());
        f.tickets.transition(stored, UploadStatus.PENDING, Optional.empty(), UploadStatus.STORED, "01",
                Optional.of("https://img.example/x.png"), Optional.empty(), Instant.now());

        assertEquals(Map.of("uploadId", rejected, "status", "REJECTED", "reason", "the bytes are not a png image"),
                Json.MAPPER.readValue(handler.handleRequest(get(rejected), null).getBody(), Map.class));
        assertEquals(Map.of("uploadId", stored, "status", "STORED", "imageUrl", "https://img.example/x.png"),
                Json.MAPPER.readValue(handler.handleRequest(get(stored), null).getBody(), Map.class));
    }

    @Test
    void getStatus_ofPendingTicketPastItsValidity_is404() {
        long banner = f.banner();
        String uploadId = f.service(Clock.systemUTC()).issue(
                new UploadService.UploadRequest("banner", banner, "image", "image/png", 10L), "a").uploadId();
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(301).plus(UploadTicket.GRACE));
        var lateHandler = OpenApiContract.checked(new UploadsApiHandler(f.service(later), new Idempotency(
                new DynamoIdempotencyStore(f.dynamo, f.env.require("IDEMPOTENCY_TABLE"), Duration.ofHours(24),
                        Duration.ofSeconds(60)), later)));

        assertEquals(200, handler.handleRequest(get(uploadId), null).getStatusCode());
        assertEquals(404, lateHandler.handleRequest(get(uploadId), null).getStatusCode());
    }
}
