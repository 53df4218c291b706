package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shop.inventory.InventoryFixture.actionEvent;
import static shop.inventory.InventoryFixture.event;
import static shop.inventory.InventoryFixture.newGoods;
import static shop.inventory.InventoryFixture.reserveEvent;
import static shop.inventory.InventoryFixture.update;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import shop.catalog.CatalogApiHandler;
import shop.testing.SessionStateAudit;
import shop.testing.TestStack;

/**
 * RdsProxy mode (DB_RDS_PROXY=true): the suites' key paths (catalog list and create, inventory
 * reserve, confirm, cancel and sweep) run with that mode's JDBC settings as a database user of their
 * own, while {@link SessionStateAudit} watches every command that user sends; none may pin a session
 * behind RDS Proxy. The same paths in direct mode are the control: they do set session state, so the
 * audit can fail. (The upload completion is audited in {@code shop.media.UploadCompletionProxyModeTest}.)
 */
class RdsProxyModeTest {
    private static final TestStack TEST = TestStack.get();

    private static Map<String, String> envAs(String user, boolean proxy) {
        Map<String, String> env = new HashMap<>();
        env.put("DB_USER", user);
        env.put("DB_PASSWORD", "proxy-mode-test");
        env.put("DB_RDS_PROXY", Boolean.toString(proxy));
        if (proxy) {
            // The proxy's init query sets the session's time zone; the URL must not (that would pin).
            env.put("DB_URL", TEST.stack().endpoints().jdbcUrl().replace("&forceConnectionTimeZoneToSession=true", ""));
        }
        env.put("LOCK_MODE", "redlock");
        return env;
    }

    private static void runKeyPaths(Map<String, String> vars) throws Exception {
        var env = TEST.env(vars);
        long goods = newGoods();
        try (var inventory = new InventoryApiHandler(env); var sweeper = new ReservationSweeperHandler(env)) {
            var catalog = new CatalogApiHandler(env);
            assertEquals(200, catalog.handleRequest(event("GET", "/goods", Map.of(), null, null), null).getStatusCode());
            assertEquals(200, catalog.handleRequest(event("GET", "/categories", Map.of(), null, null), null).getStatusCode());
            APIGatewayProxyRequestEvent create = event("POST", "/brands", Map.of(),
                    "{\"name\":\"proxy-" + UUID.randomUUID().toString().substring(0, 12) + "\"}", "admin")
                    .withHeaders(Map.of("Content-Type", "application/json", "Idempotency-Key", UUID.randomUUID().toString()));
            assertEquals(201, catalog.handleRequest(create, null).getStatusCode(), "create brand");

            APIGatewayProxyRequestEvent count = event("PUT", "/inventory/{goodsId}", Map.of("goodsId", Long.toString(goods)),
                    "{\"onHand\":10}", "admin");
            count.setHeaders(Map.of("Content-Type", "application/json", "If-Match", "0"));
            assertEquals(200, inventory.handleRequest(count, null).getStatusCode(), "stock count");
            String confirmed = "proxy-c-" + UUID.randomUUID();
            assertEquals(201, inventory.handleRequest(reserveEvent(confirmed, Map.of(goods, 2)), null).getStatusCode());
            assertEquals(200, inventory.handleRequest(actionEvent(confirmed, "confirm"), null).getStatusCode());
            String cancelled = "proxy-x-" + UUID.randomUUID();
            assertEquals(201, inventory.handleRequest(reserveEvent(cancelled, Map.of(goods, 1)), null).getStatusCode());
            assertEquals(200, inventory.handleRequest(actionEvent(cancelled, "cancel"), null).getStatusCode());
            String expired = "proxy-e-" + UUID.randomUUID();
            assertEquals(201, inventory.handleRequest(reserveEvent(expired, Map.of(goods, 3)), null).getStatusCode());
            update("UPDATE stock_sell_detail SET expires_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 MINUTE WHERE order_sn = ?",
                    expired);
            assertTrue(sweeper.handleRequest(new ScheduledEvent(), null).returned() >= 1, "the sweep returned nothing");
            assertEquals(8, InventoryFixture.stock(goods), "10 - 2 confirmed; the cancelled and the expired came back");
            // The ledger's paths: an adjustment with its key, a partial reservation, an extension, the movements
            // and the reconciliation check (client transactions and locking reads, no session state).
            APIGatewayProxyRequestEvent adjust = event("POST", "/inventory/{goodsId}/adjustments", Map.of("goodsId",
                    Long.toString(goods)), "{\"delta\":4,\"reason\":\"received\"}", "service");
            adjust.setHeaders(Map.of("Content-Type", "application/json", "Idempotency-Key", UUID.randomUUID().toString()));
            assertEquals(201, inventory.handleRequest(adjust, null).getStatusCode(), "adjustment");
            String partial = "proxy-p-" + UUID.randomUUID();
            assertEquals(201, inventory.handleRequest(event("POST", "/inventory/reservations", Map.of(), "{\"orderSn\":\""
                    + partial + "\",\"items\":[{\"goodsId\":" + goods + ",\"num\":50}],\"allowPartial\":true}", "service"),
                    null).getStatusCode(), "partial reservation");
            assertEquals(200, inventory.handleRequest(event("POST", "/inventory/reservations/{orderSn}/extend",
                    Map.of("orderSn", partial), "{\"ttlSeconds\":600}", "service"), null).getStatusCode(), "extension");
            assertEquals(200, inventory.handleRequest(event("GET", "/inventory/{goodsId}/movements", Map.of("goodsId",
                    Long.toString(goods)), null, "admin"), null).getStatusCode(), "movements");
            assertEquals(0, inventory.service().reconcile().mismatches().size(), "reconciliation");
        }
    }

    @Test
    void rdsProxyMode_keyPaths_setNoSessionState() throws Exception {
        String user = "shop_proxy_mode";
        TEST.createAppUser(user, "proxy-mode-test");
        SessionStateAudit.Findings findings;
        try (SessionStateAudit audit = SessionStateAudit.start(TEST, user)) {
            runKeyPaths(envAs(user, true));
            findings = audit.stop();
        }
        assertTrue(findings.commands() > 20, "the audit saw almost nothing (" + findings.commands()
                + " commands): the general log did not capture the user");
        assertEquals(java.util.List.of(), findings.pinning(), "statements that pin a session behind RDS Proxy");
    }

    @Test
    void directMode_setsSessionState_soTheAuditCanFail() throws Exception {
        String user = "shop_direct_mode";
        TEST.createAppUser(user, "proxy-mode-test");
        SessionStateAudit.Findings findings;
        try (SessionStateAudit audit = SessionStateAudit.start(TEST, user)) {
            runKeyPaths(envAs(user, false));
            findings = audit.stop();
        }
        String all = String.join("\n", findings.pinning());
        assertFalse(findings.pinning().isEmpty(), "direct mode pins nothing? the audit is blind");
        assertTrue(all.contains("server-side prepared statement"), all);
        assertTrue(all.contains("optimizer_switch"), all);
        assertTrue(all.contains("innodb_lock_wait_timeout"), all);
    }
}
