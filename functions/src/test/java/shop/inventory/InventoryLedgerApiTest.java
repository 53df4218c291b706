package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shop.inventory.InventoryFixture.actionEvent;
import static shop.inventory.InventoryFixture.event;
import static shop.inventory.InventoryFixture.json;
import static shop.inventory.InventoryFixture.level;
import static shop.inventory.InventoryFixture.loadEvent;
import static shop.inventory.InventoryFixture.movements;
import static shop.inventory.InventoryFixture.newGoods;
import static shop.inventory.InventoryFixture.reserveEvent;
import static shop.inventory.InventoryFixture.setStock;
import static shop.inventory.InventoryFixture.snapshot;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import shop.platform.json.Json;
import shop.testing.TestContext;
import shop.testing.TestStack;

/**
 * The ledger's routes on the real local stack: stock counts, adjustments, movements, reservation
 * extension, partial reservations, replays of reservations that no longer hold stock, and the
 * reconciliation check. Every refused request is shown to leave the database as it was (counters,
 * versions, reservations, ledger), and every test ends with the counters reconciled.
 */
class InventoryLedgerApiTest extends InventoryApiTestBase {

    private static APIGatewayProxyRequestEvent withHeaders(APIGatewayProxyRequestEvent e, String... nameValue) {
        Map<String, String> h = new HashMap<>(e.getHeaders());
        for (int i = 0; i < nameValue.length; i += 2) {
            h.put(nameValue[i], nameValue[i + 1]);
        }
        e.setHeaders(h);
        return e;
    }

    private static APIGatewayProxyRequestEvent countEvent(long goods, int onHand, String ifMatch) {
        return withHeaders(event("PUT", "/inventory/{goodsId}", Map.of("goodsId", "" + goods), "{\"onHand\":" + onHand + "}",
                "admin"), "If-Match", ifMatch);
    }

    private static APIGatewayProxyRequestEvent adjustEvent(long goods, String body, String roles, String key) {
        APIGatewayProxyRequestEvent e = event("POST", "/inventory/{goodsId}/adjustments", Map.of("goodsId", "" + goods),
                body, roles);
        return key == null ? e : withHeaders(e, "Idempotency-Key", key);
    }

    private static APIGatewayProxyRequestEvent movementsEvent(long goods, Map<String, String> query, String roles) {
        APIGatewayProxyRequestEvent e = event("GET", "/inventory/{goodsId}/movements", Map.of("goodsId", "" + goods), null,
                roles);
        e.setQueryStringParameters(query.isEmpty() ? null : query);
        return e;
    }

    private static APIGatewayProxyRequestEvent extendEvent(String orderSn, String body) {
        return event("POST", "/inventory/reservations/{orderSn}/extend", Map.of("orderSn", orderSn), body, "service");
    }

    private static APIGatewayProxyRequestEvent partialEvent(String orderSn, long goodsA, int numA, long goodsB, int numB) {
        return event("POST", "/inventory/reservations", Map.of(), "{\"orderSn\":\"" + orderSn + "\",\"items\":[{\"goodsId\":"
                + goodsA + ",\"num\":" + numA + "},{\"goodsId\":" + goodsB + ",\"num\":" + numB + "}],\"allowPartial\":true}",
                "service");
    }

    /** nextMillisecond returns once the wall clock has moved to a new millisecond (a poll, not a sleep). */
    private static void nextMillisecond() {
        long now = System.currentTimeMillis();
        while (System.currentTimeMillis() == now) {
            Thread.onSpinWait();
        }
    }

    private static JsonNode get(long goods) {
        APIGatewayProxyResponseEvent r = call(event("GET", "/inventory/{goodsId}", Map.of("goodsId", "" + goods), null, null));
        assertEquals(200, r.getStatusCode(), r.getBody());
        return json(r);
    }

    private static void assertInvalid(APIGatewayProxyResponseEvent r, String field, String before) {
        assertRejected(r, 400, "invalid-input", before);
        List<String> fields = new ArrayList<>();
        json(r).path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertTrue(fields.contains(field), "the 400 names " + fields + ", not " + field + ": " + r.getBody());
    }

    // ------------------------------------------------------------------ the reproduction

    @Test
    void reproduction_countAfterAReservation_keepsTheReservedUnits_andTheCancelReturnsThemOnce() {
        long goods = newGoods();
        // 1. Goods 5 gets 10 units.
        assertEquals(200, call(countEvent(goods, 10, "0")).getStatusCode());
        // 2. An order reserves 3: 7 left. (Each step in a new millisecond, for the ledger's order below.)
        nextMillisecond();
        assertEquals(201, call(reserveEvent("repro-1", Map.of(goods, 3))).getStatusCode());
        JsonNode level = get(goods);
        assertEquals(List.of(10, 3, 7), List.of(level.path("onHand").asInt(), level.path("reserved").asInt(),
                level.path("available").asInt()));
        // 3. The warehouse counts 15 on the shelf (the 3 reserved units are among them).
        nextMillisecond();
        APIGatewayProxyResponseEvent counted = call(countEvent(goods, 15, "\"" + level.path("version").asLong() + "\""));
        assertEquals(200, counted.getStatusCode(), counted.getBody());
        level = get(goods);
        assertEquals(List.of(15, 3, 12, 12), List.of(level.path("onHand").asInt(), level.path("reserved").asInt(),
                level.path("available").asInt(), level.path("stock").asInt()));
        // 4. The order is cancelled: 15 available, 15 on the shelf.
        nextMillisecond();
        assertEquals(200, call(actionEvent("repro-1", "cancel")).getStatusCode());
        level = get(goods);
        assertEquals(List.of(15, 0, 15), List.of(level.path("onHand").asInt(), level.path("reserved").asInt(),
                level.path("available").asInt()));
        // And the ledger explains every number, newest first.
        APIGatewayProxyResponseEvent listed = call(movementsEvent(goods, Map.of(), "admin"));
        assertEquals(200, listed.getStatusCode(), listed.getBody());
        List<String> kinds = new ArrayList<>();
        json(listed).path("items").forEach(m -> kinds.add(m.path("kind").asText() + " " + m.path("onHandDelta").asInt()
                + "/" + m.path("reservedDelta").asInt()));
        assertEquals(List.of("RELEASE 0/-3", "COUNT 5/0", "RESERVE 0/3", "COUNT 10/0"), kinds);
        JsonNode count15 = json(listed).path("items").get(1);
        assertEquals(10, count15.path("replacedOnHand").asInt(), "a count keeps the value it replaced");
        assertEquals("u-admin", count15.path("caller").asText());
        assertEquals(4, json(listed).path("total").asInt());
    }

    // ------------------------------------------------------------------ adjustments

    @Test
    void adjustment_fromTheSampleEvent_receivesUnits_onceForItsKey() {
        long goods = newGoods();
        setStock(goods, 10);
        APIGatewayProxyRequestEvent e = loadEvent("inventory-post-adjustment.json");
        e.setPathParameters(Map.of("goodsId", "" + goods));
        APIGatewayProxyResponseEvent r = call(e);
        assertEquals(201, r.getStatusCode(), r.getBody());
        assertEquals(null, r.getHeaders().get("Idempotent-Replayed"));
        JsonNode body = json(r);
        assertEquals("ADJUSTMENT", body.path("movement").path("kind").asText());
        assertEquals(24, body.path("movement").path("onHandDelta").asInt());
        assertEquals("received", body.path("movement").path("reason").asText());
        assertEquals("delivery note DN-1042", body.path("movement").path("reference").asText());
        assertEquals("warehouse-1", body.path("movement").path("caller").asText());
        assertEquals(34, body.path("level").path("onHand").asInt());
        assertEquals(List.of(34L, 0L, 1L), level(goods));
        assertEquals("/inventory/" + goods + "/movements", r.getHeaders().get("Location"));

        // The same key and content again: the first answer, nothing applied twice, the database unchanged.
        String before = snapshot();
        e = loadEvent("inventory-post-adjustment.json");
        e.setPathParameters(Map.of("goodsId", "" + goods));
        APIGatewayProxyResponseEvent again = call(e);
        assertEquals(201, again.getStatusCode(), again.getBody());
        assertEquals("true", again.getHeaders().get("Idempotent-Replayed"));
        assertEquals(body, json(again));
        assertEquals(before, snapshot());
        // The key with other content, on this goods or another, is a 409 and changes nothing.
        e.setBody("{\"delta\":25,\"reason\":\"received\",\"reference\":\"delivery note DN-1042\"}");
        assertRejected(call(e), 409, "idempotency-key-reused", before);
        long other = newGoods();
        setStock(other, 1);
        before = snapshot();
        e = loadEvent("inventory-post-adjustment.json");
        e.setPathParameters(Map.of("goodsId", "" + other));
        assertRejected(call(e), 409, "idempotency-key-reused", before);
        // Another caller's key is its own.
        APIGatewayProxyResponseEvent otherCaller = call(withHeaders(adjustEvent(goods,
                "{\"delta\":24,\"reason\":\"received\",\"reference\":\"delivery note DN-1042\"}", "admin", null),
                "Idempotency-Key", "dn-1042-line-1"));
        assertEquals(201, otherCaller.getStatusCode(), otherCaller.getBody());
        assertEquals(null, otherCaller.getHeaders().get("Idempotent-Replayed"));
        assertEquals(List.of(58L, 0L, 2L), level(goods));
    }

    @Test
    void adjustments_eachReason_movesOnHand_andAreRecordedWithTheirCaller() {
        long goods = newGoods();
        setStock(goods, 10);
        assertEquals(201, call(adjustEvent(goods, "{\"delta\":5,\"reason\":\"received\"}", "service", null)).getStatusCode());
        assertEquals(201, call(adjustEvent(goods, "{\"delta\":2,\"reason\":\"returned\",\"reference\":\"RMA-7\"}", "service", null)).getStatusCode());
        assertEquals(201, call(adjustEvent(goods, "{\"delta\":-3,\"reason\":\"damaged\"}", "admin", null)).getStatusCode());
        assertEquals(201, call(adjustEvent(goods, "{\"delta\":-1,\"reason\":\"lost\"}", "admin", null)).getStatusCode());
        assertEquals(201, call(adjustEvent(goods, "{\"delta\":-4,\"reason\":\"correction\"}", "admin", null)).getStatusCode());
        assertEquals(201, call(adjustEvent(goods, "{\"delta\":6,\"reason\":\"correction\"}", "admin,service", null)).getStatusCode());
        assertEquals(List.of(15L, 0L, 6L), level(goods));
        assertEquals(List.of("OPENING 10/0", "ADJUSTMENT 5/0 received", "ADJUSTMENT 2/0 returned", "ADJUSTMENT -3/0 damaged",
                "ADJUSTMENT -1/0 lost", "ADJUSTMENT -4/0 correction", "ADJUSTMENT 6/0 correction"), movements(goods));
        assertEquals(List.of("test-fixture", "u-service", "u-service", "u-admin", "u-admin", "u-admin", "u-admin,service"),
                InventoryFixture.query("SELECT caller FROM stock_movement WHERE goods_id = ? ORDER BY id", goods).stream()
                        .map(row -> (String) row.getFirst()).toList());
        // A goods never stocked gets its stock row from its first adjustment.
        long fresh = newGoods();
        assertEquals(201, call(adjustEvent(fresh, "{\"delta\":4,\"reason\":\"received\"}", "service", null)).getStatusCode());
        assertEquals(List.of(4L, 0L, 1L), level(fresh));
    }

    @Test
    void adjustments_belowReservedOrAboveTheLimit_orForTheWrongRole_orUnknownGoods_areRefused_andWriteNothing() {
        long goods = newGoods();
        setStock(goods, 10);
        assertEquals(201, call(reserveEvent("adj-held", Map.of(goods, 6))).getStatusCode());
        String before = snapshot();
        APIGatewayProxyResponseEvent below = call(adjustEvent(goods, "{\"delta\":-5,\"reason\":\"damaged\"}", "admin", "k1"));
        assertRejected(below, 409, "below-reserved", before);
        assertEquals(5, json(below).path("onHand").asInt());
        assertEquals(6, json(below).path("reserved").asInt());
        assertRejected(call(adjustEvent(goods, "{\"delta\":999999991,\"reason\":\"received\"}", "admin", "k2")), 409,
                "stock-limit", before);
        assertRejected(call(adjustEvent(goods, "{\"delta\":-1,\"reason\":\"damaged\"}", "service", "k3")), 403, "forbidden", before);
        assertRejected(call(adjustEvent(goods, "{\"delta\":1,\"reason\":\"correction\"}", "service", null)), 403, "forbidden", before);
        assertRejected(call(adjustEvent(goods, "{\"delta\":1,\"reason\":\"received\"}", null, null)), 401, "unauthorized", before);
        assertRejected(call(adjustEvent(goods, "{\"delta\":1,\"reason\":\"received\"}", "reader", null)), 403, "forbidden", before);
        assertRejected(call(adjustEvent(999999999, "{\"delta\":1,\"reason\":\"received\"}", "admin", "k4")), 404, "not-found", before);
        long deleted = newGoods();
        setStock(deleted, 3);
        InventoryFixture.update("UPDATE goods SET deleted_at = NOW(3) WHERE id = ?", deleted);
        before = snapshot();
        assertRejected(call(adjustEvent(deleted, "{\"delta\":1,\"reason\":\"received\"}", "admin", "k5")), 404, "not-found", before);
        // The keys of refused requests were not used up: the same key now applies.
        assertEquals(201, call(adjustEvent(goods, "{\"delta\":-4,\"reason\":\"damaged\"}", "admin", "k1")).getStatusCode());
        assertEquals(List.of(6L, 6L, 1L), level(goods));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "delta|{\"reason\":\"received\"}",
            "delta|{\"delta\":0,\"reason\":\"correction\"}",
            "delta|{\"delta\":-3,\"reason\":\"received\"}",
            "delta|{\"delta\":-3,\"reason\":\"returned\"}",
            "delta|{\"delta\":3,\"reason\":\"damaged\"}",
            "delta|{\"delta\":3,\"reason\":\"lost\"}",
            "delta|{\"delta\":1.5,\"reason\":\"received\"}",
            "delta|{\"delta\":\"3\",\"reason\":\"received\"}",
            "delta|{\"delta\":null,\"reason\":\"received\"}",
            "delta|{\"delta\":1000000001,\"reason\":\"received\"}",
            "delta|{\"delta\":99999999999,\"reason\":\"received\"}",
            "reason|{\"delta\":3}",
            "reason|{\"delta\":3,\"reason\":\"stolen\"}",
            "reason|{\"delta\":3,\"reason\":\"RECEIVED\"}",
            "reason|{\"delta\":3,\"reason\":3}",
            "reason|{\"delta\":3,\"reason\":\"\"}",
            "reference|{\"delta\":3,\"reason\":\"received\",\"reference\":\"   \"}",
            "reference|{\"delta\":3,\"reason\":\"received\",\"reference\":12}",
            "reference|{\"delta\":3,\"reason\":\"received\",\"reference\":\"LONG\"}",
            "note|{\"delta\":3,\"reason\":\"received\",\"note\":\"x\"}",
            "|[3]",
            "|not json",
            "|"})
    void adjustment_rejectsBadInput_namingTheField_andWritesNothing(String fieldAndBody) {
        long goods = newGoods();
        setStock(goods, 10);
        String field = fieldAndBody.substring(0, fieldAndBody.indexOf('|'));
        String body = fieldAndBody.substring(fieldAndBody.indexOf('|') + 1).replace("LONG", "r".repeat(129));
        String before = snapshot();
        assertInvalid(call(adjustEvent(goods, body, "admin", null)), field, before);
    }

    @Test
    void adjustment_rejectsABadIdempotencyKey_andQueryParameters() {
        long goods = newGoods();
        setStock(goods, 10);
        String before = snapshot();
        for (String key : List.of("k".repeat(256), "with space", "ключ")) {
            assertInvalid(call(adjustEvent(goods, "{\"delta\":3,\"reason\":\"received\"}", "admin", key)), "Idempotency-Key",
                    before);
        }
        APIGatewayProxyRequestEvent withQuery = adjustEvent(goods, "{\"delta\":3,\"reason\":\"received\"}", "admin", null);
        withQuery.setQueryStringParameters(Map.of("force", "1"));
        assertInvalid(call(withQuery), "force", before);
    }

    // ------------------------------------------------------------------ movements

    @Test
    void movements_listNewestFirst_inPages_fromTheSampleEvent_forAdminAndService() {
        long goods = newGoods();
        setStock(goods, 50);
        // Movements in one millisecond keep a stable order, but not necessarily the order they were made
        // in; each step here starts in a new millisecond, so the expected order is the order of the calls.
        for (int i = 0; i < 4; i++) {
            nextMillisecond();
            call(reserveEvent("mv-" + i, Map.of(goods, 1 + i)));
        }
        nextMillisecond();
        call(actionEvent("mv-0", "confirm"));
        nextMillisecond();
        call(actionEvent("mv-1", "cancel"));
        nextMillisecond();
        call(adjustEvent(goods, "{\"delta\":-2,\"reason\":\"lost\",\"reference\":\"audit 7\"}", "admin", null));
        // OPENING, 4 RESERVE, CONFIRM, RELEASE, ADJUSTMENT: 8 movements; two reservations are still open.
        APIGatewayProxyRequestEvent sample = loadEvent("inventory-get-movements.json");
        sample.setPathParameters(Map.of("goodsId", "" + goods));
        APIGatewayProxyResponseEvent r = call(sample);
        assertEquals(200, r.getStatusCode(), r.getBody());
        JsonNode page = json(r);
        assertEquals(8, page.path("total").asInt());
        assertFalse(page.has("totalCapped"));
        List<String> listed = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        page.path("items").forEach(m -> {
            listed.add(m.path("kind").asText() + (m.has("orderSn") ? " " + m.path("orderSn").asText() : ""));
            times.add(Instant.parse(m.path("at").asText()));
        });
        assertEquals(List.of("ADJUSTMENT", "RELEASE mv-1", "CONFIRM mv-0", "RESERVE mv-3", "RESERVE mv-2", "RESERVE mv-1",
                "RESERVE mv-0", "OPENING"), listed);
        for (int i = 1; i < times.size(); i++) {
            assertFalse(times.get(i).isAfter(times.get(i - 1)), "newest first: " + times);
        }
        JsonNode open = page.path("items").get(3);
        assertFalse(open.has("id"), "an open reservation's RESERVE is read from the reservation: " + open);
        assertEquals("u-service", open.path("caller").asText());
        assertEquals("audit 7", page.path("items").get(0).path("reference").asText());
        assertEquals(50 - 1 - 2, page.path("items").get(0).path("onHandAfter").asInt());

        // Pages are slices of the same order, for the service as for an admin.
        List<String> paged = new ArrayList<>();
        for (int p = 1; p <= 3; p++) {
            APIGatewayProxyResponseEvent part = call(movementsEvent(goods, Map.of("page", "" + p, "pageSize", "3"), "service"));
            assertEquals(200, part.getStatusCode(), part.getBody());
            assertEquals(3, json(part).path("pageSize").asInt());
            json(part).path("items").forEach(m -> paged.add(m.path("kind").asText()
                    + (m.has("orderSn") ? " " + m.path("orderSn").asText() : "")));
        }
        assertEquals(listed, paged);
        // The open reservations settle: their RESERVE rows move into the ledger at the same place.
        nextMillisecond();
        call(actionEvent("mv-2", "confirm"));
        nextMillisecond();
        call(actionEvent("mv-3", "cancel"));
        JsonNode after = json(call(movementsEvent(goods, Map.of(), "admin")));
        List<String> now = new ArrayList<>();
        after.path("items").forEach(m -> now.add(m.path("kind").asText() + (m.has("orderSn") ? " " + m.path("orderSn").asText() : "")));
        assertEquals(List.of("RELEASE mv-3", "CONFIRM mv-2"), now.subList(0, 2));
        assertEquals(listed, now.subList(2, now.size()));
        after.path("items").forEach(m -> assertTrue(m.has("id"), m.toString()));
    }

    @Test
    void movements_refuseBadPages_unknownGoods_andCallersWithoutTheRole() {
        long goods = newGoods();
        setStock(goods, 1);
        String before = snapshot();
        for (Map<String, String> q : List.of(Map.of("page", "0"), Map.of("pageSize", "101"), Map.of("pageSize", "0"),
                Map.of("page", "x"), Map.of("page", "101", "pageSize", "100"), Map.of("sort", "asc"))) {
            APIGatewayProxyResponseEvent r = call(movementsEvent(goods, q, "admin"));
            assertRejected(r, 400, "invalid-input", before);
        }
        assertRejected(call(movementsEvent(999999999, Map.of(), "admin")), 404, "not-found", before);
        assertRejected(call(movementsEvent(goods, Map.of(), null)), 401, "unauthorized", before);
        assertRejected(call(movementsEvent(goods, Map.of(), "reader")), 403, "forbidden", before);
        JsonNode empty = json(call(movementsEvent(newGoods(), Map.of("page", "3"), "admin")));
        assertEquals(0, empty.path("total").asInt());
        assertEquals(0, empty.path("items").size());
    }

    // ------------------------------------------------------------------ extension

    @Test
    void extend_movesTheExpiry_fromTheSampleEvent_neverEarlier_andRefusesEveryOtherState() {
        long goods = newGoods();
        setStock(goods, 10);
        APIGatewayProxyResponseEvent made = call(reserveEvent("SAMPLE-ORDER-1", Map.of(goods, 2)));
        Instant first = Instant.parse(json(made).path("expiresAt").asText());
        APIGatewayProxyResponseEvent r = call(loadEvent("inventory-extend-reservation.json"));
        assertEquals(200, r.getStatusCode(), r.getBody());
        Instant extended = Instant.parse(json(r).path("expiresAt").asText());
        assertTrue(extended.isAfter(first.plusSeconds(800)), first + " -> " + extended);
        // A shorter ttl keeps the later expiry.
        APIGatewayProxyResponseEvent shorter = call(extendEvent("SAMPLE-ORDER-1", "{\"ttlSeconds\":60}"));
        assertEquals(200, shorter.getStatusCode(), shorter.getBody());
        assertEquals(extended, Instant.parse(json(shorter).path("expiresAt").asText()));
        assertEquals(List.of(10L, 2L, 0L), level(goods), "an extension moves no units");

        String before = snapshot();
        for (String body : List.of("{\"ttlSeconds\":59}", "{\"ttlSeconds\":86401}", "{}", "{\"ttlSeconds\":\"600\"}",
                "{\"ttlSeconds\":6.5}", "{\"ttl\":600}", "")) {
            APIGatewayProxyResponseEvent bad = call(extendEvent("SAMPLE-ORDER-1", body));
            assertRejected(bad, 400, "invalid-input", before);
        }
        assertInvalid(call(extendEvent("SAMPLE-ORDER-1", "{\"ttlSeconds\":59}")), "ttlSeconds", before);
        assertRejected(call(extendEvent("no-such-order", "{\"ttlSeconds\":600}")), 404, "not-found", before);
        assertRejected(call(extendEvent("bad sn!", "{\"ttlSeconds\":600}")), 400, "invalid-input", before);
        APIGatewayProxyRequestEvent asAdmin = event("POST", "/inventory/reservations/{orderSn}/extend",
                Map.of("orderSn", "SAMPLE-ORDER-1"), "{\"ttlSeconds\":600}", "admin");
        assertRejected(call(asAdmin), 403, "forbidden", before);

        // Time is up (the sweeper has not come yet): expired.
        call(reserveEvent("ext-late", Map.of(goods, 1)));
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND"
                + " WHERE order_sn = 'ext-late'");
        before = snapshot();
        APIGatewayProxyResponseEvent late = call(extendEvent("ext-late", "{\"ttlSeconds\":600}"));
        assertRejected(late, 409, "reservation-expired", before);
        assertEquals("RESERVED", json(late).path("reservation").path("status").asText());
        // Swept: still expired.
        sweeper.handleRequest(null, null);
        before = snapshot();
        APIGatewayProxyResponseEvent swept = call(extendEvent("ext-late", "{\"ttlSeconds\":600}"));
        assertRejected(swept, 409, "reservation-expired", before);
        assertEquals("expired", json(swept).path("reservation").path("returnReason").asText());
        // Confirmed, cancelled.
        call(reserveEvent("ext-sold", Map.of(goods, 1)));
        call(actionEvent("ext-sold", "confirm"));
        call(reserveEvent("ext-gone", Map.of(goods, 1)));
        call(actionEvent("ext-gone", "cancel"));
        before = snapshot();
        assertRejected(call(extendEvent("ext-sold", "{\"ttlSeconds\":600}")), 409, "reservation-confirmed", before);
        APIGatewayProxyResponseEvent gone = call(extendEvent("ext-gone", "{\"ttlSeconds\":600}"));
        assertRejected(gone, 409, "reservation-returned", before);
        assertEquals("cancelled", json(gone).path("reservation").path("returnReason").asText());
    }

    // ------------------------------------------------------------------ partial reservations

    @Test
    void partialReservation_fromTheSampleEvent_reservesWhatIsAvailable_andListsRequestedReservedAndShortages() {
        List<Long> goods = newGoods(2);
        setStock(goods.get(0), 3);
        // goods 2 is never stocked: nothing available.
        APIGatewayProxyRequestEvent e = loadEvent("inventory-post-reservation-partial.json");
        e.setBody(e.getBody().replace("\"goodsId\":1,", "\"goodsId\":" + goods.get(0) + ",")
                .replace("\"goodsId\":2,", "\"goodsId\":" + goods.get(1) + ","));
        APIGatewayProxyResponseEvent r = call(e);
        assertEquals(201, r.getStatusCode(), r.getBody());
        JsonNode body = json(r);
        assertTrue(body.path("partial").asBoolean());
        assertEquals("[{\"goodsId\":" + goods.get(0) + ",\"num\":3}]", body.path("items").toString());
        assertEquals("[{\"goodsId\":" + goods.get(0) + ",\"num\":5},{\"goodsId\":" + goods.get(1) + ",\"num\":1}]",
                body.path("requested").toString());
        assertEquals("[{\"goodsId\":" + goods.get(0) + ",\"requested\":5,\"available\":3},{\"goodsId\":" + goods.get(1)
                + ",\"requested\":1,\"available\":0}]", body.path("shortages").toString());
        assertEquals(List.of(3L, 3L, 0L), level(goods.get(0)));
        // A repeat answers the stored reservation; another allowPartial or other items are a mismatch.
        APIGatewayProxyResponseEvent again = call(e);
        assertEquals(200, again.getStatusCode(), again.getBody());
        assertEquals(body, json(again));
        String before = snapshot();
        APIGatewayProxyResponseEvent allOrNothing = call(event("POST", "/inventory/reservations", Map.of(),
                e.getBody().replace(",\"allowPartial\":true", ""), "service"));
        assertRejected(allOrNothing, 409, "reservation-mismatch", before);
        // The reservation confirms what it got.
        APIGatewayProxyResponseEvent confirmed = call(actionEvent("SAMPLE-ORDER-2", "confirm"));
        assertEquals(200, confirmed.getStatusCode(), confirmed.getBody());
        assertEquals(List.of(0L, 0L, 1L), level(goods.get(0)));
    }

    @Test
    void partialReservation_withNothingAvailable_is409WithTheShortages_andWritesNothing_andAllOrNothingStaysTheDefault() {
        List<Long> goods = newGoods(2);
        setStock(goods.get(0), 2);
        setStock(goods.get(1), 1);
        assertEquals(201, call(reserveEvent("takes-all", Map.of(goods.get(0), 2))).getStatusCode());
        String before = snapshot();
        APIGatewayProxyResponseEvent none = call(partialEvent("part-none", goods.get(0), 1, 999999999L, 1));
        assertRejected(none, 404, "not-found", before);
        none = call(partialEvent("part-none", goods.get(0), 4, goods.get(1), 2).withBody(
                "{\"orderSn\":\"part-none\",\"items\":[{\"goodsId\":" + goods.get(0) + ",\"num\":4}],\"allowPartial\":true}"));
        assertRejected(none, 409, "insufficient-stock", before);
        assertEquals("[{\"goodsId\":" + goods.get(0) + ",\"requested\":4,\"available\":0}]",
                json(none).path("shortages").toString());
        // Without allowPartial (or with false) one short item refuses the whole order.
        APIGatewayProxyResponseEvent strict = call(event("POST", "/inventory/reservations", Map.of(),
                "{\"orderSn\":\"strict\",\"items\":[{\"goodsId\":" + goods.get(0) + ",\"num\":1},{\"goodsId\":" + goods.get(1)
                        + ",\"num\":1}],\"allowPartial\":false}", "service"));
        assertRejected(strict, 409, "insufficient-stock", before);
        // The same order number works later: the refusals left nothing behind.
        APIGatewayProxyResponseEvent some = call(partialEvent("part-none", goods.get(0), 4, goods.get(1), 2));
        assertEquals(201, some.getStatusCode(), some.getBody());
        assertEquals("[{\"goodsId\":" + goods.get(1) + ",\"num\":1}]", json(some).path("items").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"yes\"", "1", "0", "null", "[true]", "{}", "\"true\""})
    void partialReservation_rejectsAllowPartialOfTheWrongType_namingIt(String value) {
        long goods = newGoods();
        setStock(goods, 5);
        String before = snapshot();
        APIGatewayProxyResponseEvent r = call(event("POST", "/inventory/reservations", Map.of(),
                "{\"orderSn\":\"typed\",\"items\":[{\"goodsId\":" + goods + ",\"num\":1}],\"allowPartial\":" + value + "}",
                "service"));
        if (value.equals("null")) {
            // null is "not given": all or nothing.
            assertEquals(201, r.getStatusCode(), r.getBody());
            return;
        }
        assertInvalid(r, "allowPartial", before);
    }

    // ------------------------------------------------------------------ replays

    @Test
    void replayOfAReturnedOrExpiredReservation_is409WithTheReservation_andOfAHeldOrConfirmedOne200() {
        long goods = newGoods();
        setStock(goods, 20);
        assertEquals(201, call(reserveEvent("rp-held", Map.of(goods, 1))).getStatusCode());
        assertEquals(200, call(reserveEvent("rp-held", Map.of(goods, 1))).getStatusCode());
        assertEquals(201, call(reserveEvent("rp-sold", Map.of(goods, 1))).getStatusCode());
        call(actionEvent("rp-sold", "confirm"));
        APIGatewayProxyResponseEvent sold = call(reserveEvent("rp-sold", Map.of(goods, 1)));
        assertEquals(200, sold.getStatusCode(), sold.getBody());
        assertEquals("CONFIRMED", json(sold).path("status").asText());

        assertEquals(201, call(reserveEvent("rp-cancelled", Map.of(goods, 2))).getStatusCode());
        call(actionEvent("rp-cancelled", "cancel"));
        assertEquals(201, call(reserveEvent("rp-late", Map.of(goods, 3))).getStatusCode());
        assertEquals(201, call(reserveEvent("rp-swept", Map.of(goods, 4))).getStatusCode());
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND"
                + " WHERE order_sn IN ('rp-late', 'rp-swept')");
        assertEquals(2, sweeper.handleRequest(null, null).returned());
        assertEquals(201, call(reserveEvent("rp-unswept", Map.of(goods, 1))).getStatusCode());
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND"
                + " WHERE order_sn = 'rp-unswept'");
        String before = snapshot();
        APIGatewayProxyResponseEvent cancelled = call(reserveEvent("rp-cancelled", Map.of(goods, 2)));
        assertRejected(cancelled, 409, "reservation-returned", before);
        assertEquals("RETURNED", json(cancelled).path("reservation").path("status").asText());
        assertEquals("cancelled", json(cancelled).path("reservation").path("returnReason").asText());
        assertEquals(2, json(cancelled).path("reservation").path("items").get(0).path("num").asInt());
        APIGatewayProxyResponseEvent swept = call(reserveEvent("rp-swept", Map.of(goods, 4)));
        assertRejected(swept, 409, "reservation-expired", before);
        assertEquals("expired", json(swept).path("reservation").path("returnReason").asText());
        APIGatewayProxyResponseEvent unswept = call(reserveEvent("rp-unswept", Map.of(goods, 1)));
        assertRejected(unswept, 409, "reservation-expired", before);
        assertEquals("RESERVED", json(unswept).path("reservation").path("status").asText());
        // Other items are a mismatch whatever the state.
        assertRejected(call(reserveEvent("rp-cancelled", Map.of(goods, 3))), 409, "reservation-mismatch", before);
    }

    // ------------------------------------------------------------------ reconciliation

    @Test
    void reconciliation_fromTheSampleEvent_findsNothingAfterTraffic_andNamesAGoodsWhoseCounterWasTouched() throws Exception {
        List<Long> goods = newGoods(3);
        for (long g : goods) {
            setStock(g, 30);
        }
        call(reserveEvent("rc-1", Map.of(goods.get(0), 2, goods.get(1), 3)));
        call(reserveEvent("rc-2", Map.of(goods.get(1), 1)));
        call(actionEvent("rc-1", "confirm"));
        call(adjustEvent(goods.get(2), "{\"delta\":-4,\"reason\":\"lost\"}", "admin", null));
        List<String> lines = new ArrayList<>();
        ScheduledEvent scheduled = EventLoader.loadScheduledEvent("../events/inventory-reconciliation-scheduled.json");
        try (InventoryReconciliationHandler check = new InventoryReconciliationHandler(handler.service(), () -> { },
                lines::add, Clock.systemUTC())) {
            InventoryReconciliationHandler.Report clean = check.handleRequest(scheduled, null);
            assertEquals(0, clean.mismatched());
            assertEquals(3, clean.checked());
            JsonNode line = Json.MAPPER.readTree(lines.getLast());
            assertEquals(0.0, line.path("MismatchedGoods").asDouble(-1), "a clean run publishes its 0: " + line);
            assertEquals(3.0, line.path("CheckedGoods").asDouble());
            assertEquals((double) (InventoryFixture.count("SELECT COALESCE(MAX(id), 0) FROM stock_movement")
                    - InventoryFixture.count("SELECT folded_through FROM stock_balance_cursor WHERE id = 1")),
                    line.path("UnfoldedRecords").asDouble(-1), "the ledger's ids above the running balance: " + line);
            assertEquals("ShopBackend", line.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
            assertEquals("[[\"Service\",\"Stack\"]]", line.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());
            assertEquals("inventory", line.path("Service").asText());

            // Someone edits a counter behind the ledger's back: the check names the goods and its numbers.
            InventoryFixture.update("UPDATE inventory SET on_hand = on_hand + 1 WHERE goods_id = ?", goods.get(1));
            InventoryReconciliationHandler.Report found = check.handleRequest(scheduled, null);
            assertEquals(1, found.mismatched());
            Mismatch m = found.mismatches().getFirst();
            assertEquals(goods.get(1), m.goodsId());
            assertEquals(28, m.onHand());
            assertEquals(27, m.recordedOnHand());
            assertEquals(1, m.reserved());
            assertEquals(1, m.recordedReserved());
            assertEquals(1.0, Json.MAPPER.readTree(lines.getLast()).path("MismatchedGoods").asDouble());
            // A reserved count off by one, and a ledger row without a stock row, are found too.
            InventoryFixture.update("UPDATE inventory SET reserved = reserved + 1 WHERE goods_id = ?", goods.get(0));
            long orphan = newGoods();
            InventoryFixture.update("INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, caller)"
                    + " VALUES (?, 'ADJUSTMENT', UTC_TIMESTAMP(3), 5, 0, 'test')", orphan);
            assertEquals(List.of(goods.get(0), goods.get(1), orphan), check.handleRequest(scheduled, null).mismatches()
                    .stream().map(Mismatch::goodsId).toList());
            assertNull(check.handleRequest(scheduled, null).mismatches().get(2).onHand());
            InventoryFixture.update("UPDATE inventory SET on_hand = on_hand - 1 WHERE goods_id = ?", goods.get(1));
            InventoryFixture.update("UPDATE inventory SET reserved = reserved - 1 WHERE goods_id = ?", goods.get(0));
            InventoryFixture.update("DELETE FROM stock_movement WHERE goods_id = ?", orphan);
            assertEquals(0, check.handleRequest(scheduled, null).mismatched());
        }
    }

    /**
     * The reconciliation runs within its invocation's time on the server too. While the test holds the
     * ledger table (LOCK TABLES ... WRITE, from its own session) the check's statement waits in the
     * server, where the test reads it: it carries the deadline as its server-side limit (MariaDB's
     * max_statement_time and MySQL's MAX_EXECUTION_TIME), which is what stops a check that is busy
     * summing (a waiting one the server also drops when its client leaves). It ends by the deadline,
     * leaves nothing running, and publishes no MismatchedGoods for a run that did not finish.
     */
    @Test
    void reconciliation_endsOnTheServer_byItsInvocationsDeadline() throws Exception {
        List<String> lines = new ArrayList<>();
        ScheduledEvent scheduled = EventLoader.loadScheduledEvent("../events/inventory-reconciliation-scheduled.json");
        try (Connection admin = TestStack.get().admin().getConnection();
             InventoryReconciliationHandler check = new InventoryReconciliationHandler(handler.service(), () -> { },
                     lines::add, Clock.systemUTC())) {
            try (Statement s = admin.createStatement()) {
                s.execute("LOCK TABLES stock_movement WRITE");
            }
            try {
                long started = System.nanoTime();
                CompletableFuture<InventoryReconciliationHandler.Report> run = CompletableFuture.supplyAsync(() ->
                        check.handleRequest(scheduled, new TestContext("reconcile-deadline", Duration.ofMillis(1_700))));
                String statement = null;
                while (statement == null && !run.isDone()) {
                    statement = checkRunning(admin);
                }
                assertNotNull(statement, "the check never reached the server");
                java.util.regex.Matcher limit = java.util.regex.Pattern.compile(
                        "max_statement_time=[0-9.]+ FOR \\*/ SELECT /\\*\\+ MAX_EXECUTION_TIME\\(([0-9]+)\\)").matcher(statement);
                assertTrue(limit.find(), "the check's statement has no server-side limit: " + statement);
                int limitMs = Integer.parseInt(limit.group(1));
                assertTrue(limitMs >= 100 && limitMs <= 1_200, "a limit of " + limitMs + " ms for a deadline 1,200 ms away");
                assertThrows(ExecutionException.class, run::get);
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertTrue(tookMs >= 1_000 && tookMs < 5_000, "the check ended after " + tookMs + " ms, its deadline was 1,200");
                long waitUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (checkRunning(admin) != null && System.nanoTime() < waitUntil) {
                    Thread.onSpinWait();
                }
                assertNull(checkRunning(admin), "the check's statement still runs in the server after its invocation ended");
            } finally {
                try (Statement s = admin.createStatement()) {
                    s.execute("UNLOCK TABLES");
                }
            }
        }
        assertEquals(List.of(), lines, "a check that did not finish must not publish MismatchedGoods");
    }

    /** checkRunning is the text of a reconciliation statement in the server's process list, or null. */
    private static String checkRunning(Connection admin) throws SQLException {
        try (PreparedStatement p = admin.prepareStatement("SELECT info FROM information_schema.processlist"
                + " WHERE info LIKE '%SUM(on_hand_delta)%' AND id <> CONNECTION_ID() LIMIT 1"); ResultSet rs = p.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void theDatabase_refusesReservedAboveOnHand_andChangesToASettledReservation() {
        long goods = newGoods();
        setStock(goods, 5);
        call(reserveEvent("db-1", Map.of(goods, 5)));
        call(actionEvent("db-1", "confirm"));
        for (String sql : List.of("UPDATE inventory SET reserved = on_hand + 1 WHERE goods_id = " + goods,
                "UPDATE inventory SET reserved = -1 WHERE goods_id = " + goods,
                "UPDATE stock_sell_detail SET status = 'RETURNED' WHERE order_sn = 'db-1'",
                "UPDATE stock_sell_detail SET items = '[]' WHERE order_sn = 'db-1'",
                "UPDATE inventory SET stock = 3 WHERE goods_id = " + goods,
                "INSERT INTO stock_sell_detail (order_sn, status, items, expires_at) VALUES ('db-2', 'CONFIRMED', '[]', NOW())",
                "INSERT INTO stock_sell_detail (order_sn, status, items, expires_at) VALUES ('db-3', 'RESERVED', '[{\"goodsId\":"
                        + goods + ",\"num\":-2}]', NOW())")) {
            String before = snapshot();
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> InventoryFixture.update(sql), sql);
            assertEquals(before, snapshot(), sql + " -> " + e.getCause());
        }
    }
}
