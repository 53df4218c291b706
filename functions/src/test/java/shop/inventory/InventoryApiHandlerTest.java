package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shop.inventory.InventoryFixture.actionEvent;
import static shop.inventory.InventoryFixture.count;
import static shop.inventory.InventoryFixture.event;
import static shop.inventory.InventoryFixture.json;
import static shop.inventory.InventoryFixture.loadEvent;
import static shop.inventory.InventoryFixture.newGoods;
import static shop.inventory.InventoryFixture.reserveEvent;
import static shop.inventory.InventoryFixture.setStock;
import static shop.inventory.InventoryFixture.snapshot;
import static shop.inventory.InventoryFixture.stock;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The inventory routes and the sweeper on the real local stack, in rowlock mode (the lock has its own tests). */
class InventoryApiHandlerTest extends InventoryApiTestBase {

    private static Map<Long, Integer> items(long... goodsAndNum) {
        Map<Long, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < goodsAndNum.length; i += 2) {
            m.put(goodsAndNum[i], (int) goodsAndNum[i + 1]);
        }
        return m;
    }

    // ------------------------------------------------------------------ stock

    @Test
    void putStock_countsOnHand_andGetReadsIt_fromTheSampleEvents() {
        long goods = newGoods();
        APIGatewayProxyRequestEvent put = loadEvent("inventory-put-stock.json");
        put.setPathParameters(Map.of("goodsId", String.valueOf(goods)));
        APIGatewayProxyResponseEvent r = call(put);
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals(goods, json(r).path("goodsId").asLong());
        assertEquals(100, json(r).path("onHand").asInt());
        assertEquals(0, json(r).path("reserved").asInt());
        assertEquals(100, json(r).path("available").asInt());
        assertEquals(100, json(r).path("stock").asInt(), "the deprecated alias of available");
        assertEquals(1, json(r).path("version").asInt());
        assertEquals("\"1\"", r.getHeaders().get("ETag"));
        assertEquals(List.of(100L, 0L, 1L), InventoryFixture.level(goods));
        assertEquals(List.of("COUNT 100/0"), InventoryFixture.movements(goods));

        APIGatewayProxyRequestEvent get = loadEvent("inventory-get-stock.json");
        get.setPathParameters(Map.of("goodsId", String.valueOf(goods)));
        r = call(get);
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals(100, json(r).path("available").asInt());
        assertEquals("\"1\"", r.getHeaders().get("ETag"));

        put.setBody("{\"onHand\":0}");
        put.setHeaders(Map.of("Content-Type", "application/json", "If-Match", "1"));
        assertEquals(200, call(put).getStatusCode());
        assertEquals(List.of(0L, 0L, 2L), InventoryFixture.level(goods));
        InventoryFixture.assertReconciled();
    }

    @Test
    void getStock_isZero_whenTheGoodsHasNoStockRow() {
        long goods = newGoods();
        APIGatewayProxyResponseEvent r = call(event("GET", "/inventory/{goodsId}", Map.of("goodsId", "" + goods), null, null));
        assertEquals(200, r.getStatusCode(), r.getBody());
        JsonNode body = json(r);
        for (String field : List.of("onHand", "reserved", "available", "stock", "version")) {
            assertEquals(0, body.path(field).asInt(), field + " in " + body);
        }
    }

    @Test
    void getStock_returns404_forUnknownOrDeletedGoods() {
        long goods = newGoods();
        setStock(goods, 5);
        InventoryFixture.update("UPDATE goods SET deleted_at = NOW(3) WHERE id = ?", goods);
        for (String id : List.of("" + goods, "999999999", "abc", "-1")) {
            APIGatewayProxyResponseEvent r = call(event("GET", "/inventory/{goodsId}", Map.of("goodsId", id), null, null));
            assertEquals(404, r.getStatusCode(), id + ": " + r.getBody());
        }
    }

    /** count is PUT /inventory/{goodsId} with a body and, when given, an If-Match header. */
    static APIGatewayProxyRequestEvent countEvent(long goods, String body, String ifMatch, String roles) {
        APIGatewayProxyRequestEvent e = event("PUT", "/inventory/{goodsId}", Map.of("goodsId", "" + goods), body, roles);
        if (ifMatch != null) {
            e.setHeaders(Map.of("Content-Type", "application/json", "If-Match", ifMatch));
        }
        return e;
    }

    @Test
    void putStock_rejectsBadInput_staleAndMissingVersions_andCountsBelowReserved_andWritesNothing() {
        long goods = newGoods();
        setStock(goods, 7);
        assertEquals(201, call(reserveEvent("o-count", items(goods, 3))).getStatusCode());
        String before = snapshot();
        assertRejected(call(countEvent(goods, "{\"onHand\":1}", "1", null)), 401, "unauthorized", before);
        assertRejected(call(countEvent(goods, "{\"onHand\":1}", "1", "service")), 403, "forbidden", before);
        for (String body : List.of("{\"onHand\":-1}", "{\"onHand\":1.5}", "{\"onHand\":\"5\"}", "{}", "{\"onHand\":null}",
                "{\"onHand\":1,\"extra\":2}", "[1]", "not json", "", "{\"onHand\":1000000001}", "{\"onHand\":99999999999}",
                "{\"stock\":9}")) {
            APIGatewayProxyResponseEvent r = call(countEvent(goods, body, "0", "admin"));
            assertRejected(r, 400, "invalid-input", before);
        }
        assertEquals("stock", json(call(countEvent(goods, "{\"stock\":9}", "0", "admin"))).path("errors").get(0).path("field").asText(),
                "the old body names its field");
        for (String ifMatch : List.of("abc", "W/\"0\"", "*", "1.5", "-1", "", "\"\"", "0x1", "1111111111111111111111")) {
            APIGatewayProxyResponseEvent r = call(countEvent(goods, "{\"onHand\":9}", ifMatch, "admin"));
            assertRejected(r, 400, "invalid-input", before);
            assertEquals("If-Match", json(r).path("errors").get(0).path("field").asText(), ifMatch + ": " + r.getBody());
        }
        APIGatewayProxyResponseEvent missing = call(countEvent(goods, "{\"onHand\":9}", null, "admin"));
        assertRejected(missing, 428, "precondition-required", before);
        APIGatewayProxyResponseEvent stale = call(countEvent(goods, "{\"onHand\":9}", "\"3\"", "admin"));
        assertRejected(stale, 412, "precondition-failed", before);
        assertEquals(0, json(stale).path("version").asInt(), stale.getBody());
        APIGatewayProxyResponseEvent below = call(countEvent(goods, "{\"onHand\":2}", "0", "admin"));
        assertRejected(below, 409, "below-reserved", before);
        assertEquals(2, json(below).path("onHand").asInt());
        assertEquals(3, json(below).path("reserved").asInt());
        assertTrue(json(below).path("detail").asText().contains("2") && json(below).path("detail").asText().contains("3"));
        assertRejected(call(countEvent(999999999, "{\"onHand\":1}", "0", "admin")), 404, "not-found", before);
        long fresh = newGoods();
        before = snapshot();
        assertRejected(call(countEvent(fresh, "{\"onHand\":1}", "1", "admin")), 412, "precondition-failed", before);
        assertEquals(null, InventoryFixture.level(fresh), "a refused count of a goods never stocked makes no stock row");
        InventoryFixture.update("UPDATE goods SET deleted_at = NOW(3) WHERE id = ?", fresh);
        before = snapshot();
        assertRejected(call(countEvent(fresh, "{\"onHand\":1}", "0", "admin")), 404, "not-found", before);
        APIGatewayProxyRequestEvent withQuery = countEvent(goods, "{\"onHand\":9}", "0", "admin");
        withQuery.setQueryStringParameters(Map.of("force", "1"));
        assertRejected(call(withQuery), 400, "invalid-input", before);
        // The count at the reserved units exactly is fine: nothing left to sell, nothing oversold.
        assertEquals(200, call(countEvent(goods, "{\"onHand\":3}", "0", "admin")).getStatusCode());
        assertEquals(List.of(3L, 3L, 1L), InventoryFixture.level(goods));
        InventoryFixture.assertReconciled();
    }

    @Test
    void batch_returnsStockInTheOrderAsked_andRejectsBadInput() {
        List<Long> goods = newGoods(3);
        setStock(goods.get(0), 4);
        setStock(goods.get(2), 9);
        String body = "{\"goodsIds\":[" + goods.get(2) + "," + goods.get(0) + "," + goods.get(1) + "]}";
        APIGatewayProxyResponseEvent r = call(event("POST", "/inventory/batch", Map.of(), body, null));
        assertEquals(200, r.getStatusCode(), r.getBody());
        JsonNode list = json(r);
        assertEquals(3, list.size());
        assertEquals(goods.get(2), list.get(0).path("goodsId").asLong());
        assertEquals(9, list.get(0).path("available").asInt());
        assertEquals(9, list.get(0).path("onHand").asInt());
        assertEquals(4, list.get(1).path("stock").asInt());
        assertEquals(0, list.get(2).path("available").asInt());
        assertEquals(0, list.get(2).path("version").asInt());

        String before = snapshot();
        StringBuilder many = new StringBuilder("{\"goodsIds\":[");
        for (int i = 1; i <= 101; i++) {
            many.append(i == 1 ? "" : ",").append(i);
        }
        for (String bad : List.of("{\"goodsIds\":[]}", "{}", many + "]}", "{\"goodsIds\":[1,1]}",
                "{\"goodsIds\":[0]}", "{\"goodsIds\":[\"x\"]}", "{\"goodsIds\":[1.5]}", "{\"ids\":[1]}")) {
            assertRejected(call(event("POST", "/inventory/batch", Map.of(), bad, null)), 400, "invalid-input", before);
        }
        r = call(event("POST", "/inventory/batch", Map.of(), "{\"goodsIds\":[" + goods.get(0) + ",999999999]}", null));
        assertRejected(r, 404, "not-found", before);
        assertEquals(999999999L, json(r).path("goodsIds").get(0).asLong());
    }

    // ------------------------------------------------------------------ reserve

    @Test
    void reserve_deductsEveryItem_andAnswers201_fromTheSampleEvent() {
        long goods = newGoods();
        setStock(goods, 10);
        APIGatewayProxyRequestEvent e = loadEvent("inventory-post-reservation.json");
        e.setBody(e.getBody().replace("\"goodsId\":1", "\"goodsId\":" + goods));
        APIGatewayProxyResponseEvent r = call(e);
        assertEquals(201, r.getStatusCode(), r.getBody());
        JsonNode body = json(r);
        assertEquals("SAMPLE-ORDER-1", body.path("orderSn").asText());
        assertEquals("RESERVED", body.path("status").asText());
        assertEquals(goods, body.path("items").get(0).path("goodsId").asLong());
        assertEquals(2, body.path("items").get(0).path("num").asInt());
        assertTrue(body.path("expiresAt").asText().endsWith("Z"), body.toString());
        assertEquals("/inventory/reservations/SAMPLE-ORDER-1", r.getHeaders().get("Location"));
        assertEquals(8, stock(goods));
        assertEquals(1, count("SELECT COUNT(*) FROM stock_sell_detail WHERE order_sn = 'SAMPLE-ORDER-1' AND status = 'RESERVED'"));
        long ttl = count("SELECT TIMESTAMPDIFF(SECOND, created_at, expires_at) FROM stock_sell_detail");
        assertTrue(ttl >= 898 && ttl <= 901, "ttl " + ttl);
    }

    @Test
    void reserve_returnsConflict_whenAnyItemIsShort_andDeductsNothing() {
        List<Long> goods = newGoods(3);
        setStock(goods.get(0), 10);
        setStock(goods.get(1), 1);
        // goods 2 has no stock row: it counts as 0.
        String before = snapshot();
        APIGatewayProxyResponseEvent r = call(reserveEvent("o-short", items(goods.get(2), 1, goods.get(0), 5, goods.get(1), 2)));
        assertRejected(r, 409, "insufficient-stock", before);
        JsonNode shortages = json(r).path("shortages");
        assertEquals(2, shortages.size(), r.getBody());
        assertEquals(goods.get(1), shortages.get(0).path("goodsId").asLong());
        assertEquals(2, shortages.get(0).path("requested").asInt());
        assertEquals(1, shortages.get(0).path("available").asInt());
        assertEquals(goods.get(2), shortages.get(1).path("goodsId").asLong());
        assertEquals(0, shortages.get(1).path("available").asInt());

        // The same order number works once the stock is there: the refusal left nothing behind.
        setStock(goods.get(1), 2);
        setStock(goods.get(2), 1);
        assertEquals(201, call(reserveEvent("o-short", items(goods.get(2), 1, goods.get(0), 5, goods.get(1), 2))).getStatusCode());
        assertEquals(List.of(5, 0, 0), goods.stream().map(InventoryFixture::stock).toList());
    }

    @Test
    void reserve_returns404_namingUnknownOrDeletedGoods_andDeductsNothing() {
        List<Long> goods = newGoods(2);
        setStock(goods.get(0), 10);
        setStock(goods.get(1), 10);
        InventoryFixture.update("UPDATE goods SET deleted_at = NOW(3) WHERE id = ?", goods.get(1));
        String before = snapshot();
        APIGatewayProxyResponseEvent r = call(reserveEvent("o-unknown", items(goods.get(0), 1, 999999999, 1, goods.get(1), 1)));
        assertRejected(r, 404, "not-found", before);
        assertEquals(List.of(goods.get(1), 999999999L),
                List.of(json(r).path("goodsIds").get(0).asLong(), json(r).path("goodsIds").get(1).asLong()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"items\":[{\"goodsId\":GOODS,\"num\":1}]}",
            "{\"orderSn\":\"\",\"items\":[{\"goodsId\":GOODS,\"num\":1}]}",
            "{\"orderSn\":\"has space\",\"items\":[{\"goodsId\":GOODS,\"num\":1}]}",
            "{\"orderSn\":\"x/y\",\"items\":[{\"goodsId\":GOODS,\"num\":1}]}",
            "{\"orderSn\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"items\":[{\"goodsId\":GOODS,\"num\":1}]}",
            "{\"orderSn\":\"o1\"}",
            "{\"orderSn\":\"o1\",\"items\":[]}",
            "{\"orderSn\":\"o1\",\"items\":[null]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"num\":1}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":0}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":-2}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":1.5}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":\"1\"}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":-GOODS,\"num\":1}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":1},{\"goodsId\":GOODS,\"num\":2}]}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":1}],\"ttlSeconds\":59}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":1}],\"ttlSeconds\":86401}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":1}],\"ttl\":100}",
            "{\"orderSn\":\"o1\",\"items\":[{\"goodsId\":GOODS,\"num\":1,\"price\":3}]}",
            "{\"orderSn\":\"o1\",\"items\":{\"goodsId\":GOODS,\"num\":1}}",
            "MANY",
            "nope",
            ""})
    void reserve_rejectsBadInput_with400_andWritesNothing(String template) {
        long goods = newGoods();
        setStock(goods, 10);
        String body = template.replace("GOODS", "" + goods);
        if (body.equals("MANY")) {
            List<Long> ids = newGoods(101);
            StringBuilder sb = new StringBuilder("{\"orderSn\":\"o1\",\"items\":[");
            for (int i = 0; i < ids.size(); i++) {
                sb.append(i == 0 ? "" : ",").append("{\"goodsId\":").append(ids.get(i)).append(",\"num\":1}");
            }
            body = sb.append("]}").toString();
        }
        String before = snapshot();
        APIGatewayProxyResponseEvent r = call(event("POST", "/inventory/reservations", Map.of(), body, "service"));
        assertRejected(r, 400, "invalid-input", before);
        assertTrue(json(r).path("errors").size() >= 1, r.getBody());
    }

    @Test
    void reservationRoutes_needTheServiceRole_andWriteNothingOtherwise() {
        long goods = newGoods();
        setStock(goods, 10);
        assertEquals(201, call(reserveEvent("o-roles", items(goods, 1))).getStatusCode());
        String before = snapshot();
        for (String roles : new String[] {null, "admin"}) {
            int expected = roles == null ? 401 : 403;
            String slug = roles == null ? "unauthorized" : "forbidden";
            APIGatewayProxyRequestEvent reserve = reserveEvent("o-roles-2", items(goods, 1));
            reserve.getRequestContext().setAuthorizer(roles == null ? null : Map.of("principalId", "a", "roles", roles));
            assertRejected(call(reserve), expected, slug, before);
            for (String action : List.of("confirm", "cancel")) {
                APIGatewayProxyRequestEvent e = actionEvent("o-roles", action);
                e.getRequestContext().setAuthorizer(roles == null ? null : Map.of("principalId", "a", "roles", roles));
                assertRejected(call(e), expected, slug, before);
            }
            APIGatewayProxyRequestEvent get = event("GET", "/inventory/reservations/{orderSn}", Map.of("orderSn", "o-roles"), null, roles);
            assertRejected(call(get), expected, slug, before);
        }
    }

    @Test
    void reserve_repeatedWithTheSameItems_answers200WithTheSameBody_andDeductsOnce() {
        List<Long> goods = newGoods(2);
        setStock(goods.get(0), 10);
        setStock(goods.get(1), 10);
        APIGatewayProxyResponseEvent first = call(reserveEvent("o-repeat", items(goods.get(1), 2, goods.get(0), 3)));
        assertEquals(201, first.getStatusCode(), first.getBody());
        // The same items in another order are the same reservation.
        APIGatewayProxyResponseEvent again = call(reserveEvent("o-repeat", items(goods.get(0), 3, goods.get(1), 2)));
        assertEquals(200, again.getStatusCode(), again.getBody());
        assertEquals(json(first), json(again));
        assertEquals(List.of(7, 8), goods.stream().map(InventoryFixture::stock).toList());

        String before = snapshot();
        APIGatewayProxyResponseEvent other = call(reserveEvent("o-repeat", items(goods.get(0), 4, goods.get(1), 2)));
        assertRejected(other, 409, "reservation-mismatch", before);
        assertRejected(call(reserveEvent("o-repeat", items(goods.get(0), 3))), 409, "reservation-mismatch", before);
    }

    @Test
    void getReservation_answersStatusAndItems_or404() {
        long goods = newGoods();
        setStock(goods, 10);
        call(reserveEvent("o-get", items(goods, 4)));
        APIGatewayProxyResponseEvent r = call(event("GET", "/inventory/reservations/{orderSn}", Map.of("orderSn", "o-get"), null, "service"));
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("RESERVED", json(r).path("status").asText());
        assertEquals(4, json(r).path("items").get(0).path("num").asInt());
        String before = snapshot();
        assertRejected(call(event("GET", "/inventory/reservations/{orderSn}", Map.of("orderSn", "o-none"), null, "service")),
                404, "not-found", before);
        assertRejected(call(event("GET", "/inventory/reservations/{orderSn}", Map.of("orderSn", "bad sn!"), null, "service")),
                400, "invalid-input", before);
    }

    // ------------------------------------------------------------------ confirm and cancel

    @Test
    void confirm_keepsStockDeducted_andRepeatingAnswersTheSame() {
        long goods = newGoods();
        setStock(goods, 10);
        call(reserveEvent("o-confirm", items(goods, 3)));
        APIGatewayProxyResponseEvent r = call(actionEvent("o-confirm", "confirm"));
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("CONFIRMED", json(r).path("status").asText());
        APIGatewayProxyResponseEvent again = call(actionEvent("o-confirm", "confirm"));
        assertEquals(json(r), json(again));
        assertEquals(7, stock(goods));
        assertEquals(List.of(7L, 0L, 1L), InventoryFixture.level(goods), "sold: onHand and reserved fall; the version moves");
        assertEquals(List.of("OPENING 10/0", "RESERVE 0/3 o-confirm", "CONFIRM -3/-3 o-confirm"),
                InventoryFixture.movements(goods));

        String before = snapshot();
        APIGatewayProxyResponseEvent cancel = call(actionEvent("o-confirm", "cancel"));
        assertRejected(cancel, 409, "reservation-confirmed", before);
        assertRejected(call(actionEvent("o-nothing", "confirm")), 404, "not-found", before);
        assertRejected(call(actionEvent("bad sn!", "confirm")), 400, "invalid-input", before);
        APIGatewayProxyRequestEvent withBody = actionEvent("o-confirm", "confirm");
        withBody.setBody("{\"x\":1}");
        assertRejected(call(withBody), 400, "invalid-input", before);
        assertEquals("CONFIRMED", json(cancel).path("reservation").path("status").asText(), cancel.getBody());
        InventoryFixture.assertReconciled();
    }

    @Test
    void cancel_returnsEveryItemOnce_andRepeatingAnswersTheSame_fromTheSampleEvent() {
        List<Long> goods = newGoods(2);
        setStock(goods.get(0), 10);
        setStock(goods.get(1), 10);
        call(reserveEvent("SAMPLE-ORDER-1", items(goods.get(0), 3, goods.get(1), 4)));
        assertEquals(List.of(7, 6), goods.stream().map(InventoryFixture::stock).toList());
        APIGatewayProxyRequestEvent cancel = loadEvent("inventory-cancel-reservation.json");
        APIGatewayProxyResponseEvent r = call(cancel);
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("RETURNED", json(r).path("status").asText());
        assertEquals(List.of(10, 10), goods.stream().map(InventoryFixture::stock).toList());
        APIGatewayProxyResponseEvent again = call(loadEvent("inventory-cancel-reservation.json"));
        assertEquals(200, again.getStatusCode());
        assertEquals(json(r), json(again));
        assertEquals(List.of(10, 10), goods.stream().map(InventoryFixture::stock).toList());

        String before = snapshot();
        assertRejected(call(actionEvent("SAMPLE-ORDER-1", "confirm")), 409, "reservation-returned", before);
        assertRejected(call(actionEvent("o-none", "cancel")), 404, "not-found", before);
    }

    @Test
    void confirm_refusesAnExpiredReservation_evenBeforeTheSweeperRan() {
        long goods = newGoods();
        setStock(goods, 10);
        call(reserveEvent("o-expired", items(goods, 2)));
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE order_sn = 'o-expired'");
        String before = snapshot();
        assertRejected(call(actionEvent("o-expired", "confirm")), 409, "reservation-expired", before);
        // The sweeper then returns it, and a confirm is still refused.
        assertEquals(1, sweeper.handleRequest(EventLoader.loadScheduledEvent("../events/reservation-sweeper-scheduled.json"), null).returned());
        assertEquals(10, stock(goods));
        before = snapshot();
        APIGatewayProxyResponseEvent swept = call(actionEvent("o-expired", "confirm"));
        assertRejected(swept, 409, "reservation-expired", before);
        assertEquals("RETURNED", json(swept).path("reservation").path("status").asText(), swept.getBody());
        assertEquals("expired", json(swept).path("reservation").path("returnReason").asText(), swept.getBody());
        InventoryFixture.assertReconciled();
    }

    // ------------------------------------------------------------------ sweeper

    @Test
    void sweeper_returnsOnlyExpiredReservedStock_once() {
        List<Long> goods = newGoods(2);
        setStock(goods.get(0), 300);
        setStock(goods.get(1), 300);
        for (int i = 0; i < 250; i++) {
            assertEquals(201, call(reserveEvent("o-sweep-" + i, items(goods.get(i % 2), 1, goods.get((i + 1) % 2), 1))).getStatusCode());
        }
        assertEquals(201, call(reserveEvent("o-fresh", items(goods.get(0), 1))).getStatusCode());
        assertEquals(201, call(reserveEvent("o-confirmed", items(goods.get(1), 1))).getStatusCode());
        call(actionEvent("o-confirmed", "confirm"));
        assertEquals(List.of(49, 49), goods.stream().map(InventoryFixture::stock).toList());
        // Time passes for the open ones (a settled reservation is final: the database refuses to touch it).
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND"
                + " WHERE order_sn LIKE 'o-sweep-%'");
        ScheduledEvent e = EventLoader.loadScheduledEvent("../events/reservation-sweeper-scheduled.json");
        assertEquals(250, sweeper.handleRequest(e, null).returned(), "three batches of at most 100");
        assertEquals(List.of(299, 299), goods.stream().map(InventoryFixture::stock).toList());
        assertEquals(0, sweeper.handleRequest(e, null).returned());
        assertEquals(250, count("SELECT COUNT(*) FROM stock_sell_detail WHERE status = 'RETURNED'"));
        assertEquals("RESERVED", InventoryFixture.query("SELECT status FROM stock_sell_detail WHERE order_sn = 'o-fresh'").getFirst().getFirst());
        assertEquals("CONFIRMED", InventoryFixture.query("SELECT status FROM stock_sell_detail WHERE order_sn = 'o-confirmed'").getFirst().getFirst());
        assertEquals(250, count("SELECT COUNT(*) FROM stock_movement WHERE kind = 'RELEASE' AND reason = 'expired'"
                + " AND caller = 'sweeper'") / 2, "one release per item of every swept reservation");
        InventoryFixture.assertReconciled();
    }

    @Test
    void sweeper_publishesItsLag_whenAnExpiredReservationIsLeftBehind() throws Exception {
        long goods = newGoods();
        setStock(goods, 10);
        assertEquals(201, call(reserveEvent("o-lag-held", items(goods, 1))).getStatusCode());
        assertEquals(201, call(reserveEvent("o-lag-free", items(goods, 2))).getStatusCode());
        InventoryFixture.update("UPDATE stock_sell_detail SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 600 SECOND"
                + " WHERE order_sn LIKE 'o-lag-%'");
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        ReservationSweeperHandler measured = new ReservationSweeperHandler(sweeper.service(), () -> { }, lines::add);
        ScheduledEvent e = EventLoader.loadScheduledEvent("../events/reservation-sweeper-scheduled.json");
        // Another transaction holds one expired row, so the sweeper (SKIP LOCKED) must leave it behind.
        try (java.sql.Connection held = InventoryFixture.db().getConnection()) {
            held.setAutoCommit(false);
            try (var s = held.createStatement()) {
                s.executeQuery("SELECT * FROM stock_sell_detail WHERE order_sn = 'o-lag-held' FOR UPDATE").close();
            }
            assertEquals(1, measured.handleRequest(e, null).returned());
            held.rollback();
        }
        var line = shop.platform.json.Json.MAPPER.readTree(lines.getLast());
        assertEquals("inventory", line.get("Service").asText());
        assertEquals(1, line.get("ExpiredReservationsReturned").asInt());
        double lag = line.get("SweeperLag").asDouble();
        assertTrue(lag >= 600 && lag < 900, "SweeperLag " + lag + " in " + line);
        var metrics = line.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("ShopBackend", metrics.get("Namespace").asText());
        assertTrue(java.util.stream.StreamSupport.stream(metrics.get("Metrics").spliterator(), false).anyMatch(m ->
                m.get("Name").asText().equals("SweeperLag") && m.get("Unit").asText().equals("Seconds")), metrics.toString());

        // Once it is swept too, nothing is behind: the lag is left out (EMF drops zeros).
        assertEquals(1, measured.handleRequest(e, null).returned());
        assertFalse(lines.getLast().contains("SweeperLag"), lines.getLast());
    }
}
