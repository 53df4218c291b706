package shop.inventory;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import shop.platform.json.Json;
import shop.testing.TestStack;

/** InventoryFixture makes goods, sets stock, reads the tables, and builds API Gateway events for the inventory tests. */
final class InventoryFixture {
    private static final AtomicLong SEQ = new AtomicLong();

    private InventoryFixture() {
    }

    static DataSource db() {
        return TestStack.get().dataSource();
    }

    /** resetTables empties the tables inventory owns. */
    static void resetTables() {
        TestStack.get().truncate("inventory", "stock_sell_detail", "stock_movement", "stock_balance", "stock_balance_cursor");
    }

    /** newGoods creates n live goods under a fresh category and brand and returns their ids, ascending. */
    static List<Long> newGoods(int n) {
        String tag = UUID.randomUUID().toString().substring(0, 8) + "-" + SEQ.incrementAndGet();
        try (Connection c = db().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO category (name, level) VALUES ('inv-" + tag + "', 1)", Statement.RETURN_GENERATED_KEYS);
            long category = key(s);
            s.executeUpdate("INSERT INTO brand (name) VALUES ('inv-" + tag + "')", Statement.RETURN_GENERATED_KEYS);
            long brand = key(s);
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO goods (category_id, brand_id, name, goods_sn,"
                    + " shop_price, images, desc_images) VALUES (?, ?, ?, ?, 100, '[]', '[]')",
                    Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < n; i++) {
                    p.setLong(1, category);
                    p.setLong(2, brand);
                    p.setString(3, "goods " + tag + "-" + i);
                    p.setString(4, "inv-" + tag + "-" + i);
                    p.executeUpdate();
                    try (ResultSet rs = p.getGeneratedKeys()) {
                        rs.next();
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long newGoods() {
        return newGoods(1).getFirst();
    }

    private static long key(Statement s) throws SQLException {
        try (ResultSet rs = s.getGeneratedKeys()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * setStock puts {@code onHand} units on a goods' shelf the way the product would, with a ledger record:
     * an OPENING row for a goods without a stock row, a COUNT row otherwise (reserved units stay reserved).
     */
    static void setStock(long goodsId, int onHand) {
        try (Connection c = db().getConnection()) {
            c.setAutoCommit(false);
            try {
                Integer before = null;
                int reserved = 0;
                long version = 0;
                try (PreparedStatement p = c.prepareStatement(
                        "SELECT on_hand, reserved, version FROM inventory WHERE goods_id = ? FOR UPDATE")) {
                    p.setLong(1, goodsId);
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            before = rs.getInt(1);
                            reserved = rs.getInt(2);
                            version = rs.getLong(3);
                        }
                    }
                }
                if (before == null) {
                    exec(c, "INSERT INTO inventory (goods_id, on_hand) VALUES (?, ?)", goodsId, onHand);
                } else {
                    exec(c, "UPDATE inventory SET on_hand = ?, version = version + 1 WHERE goods_id = ?", onHand, goodsId);
                }
                exec(c, "INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta,"
                        + " replaced_on_hand, on_hand_after, reserved_after, version_after, caller)"
                        + " VALUES (?, ?, UTC_TIMESTAMP(3), ?, 0, ?, ?, ?, ?, 'test-fixture')", goodsId,
                        before == null ? "OPENING" : "COUNT", onHand - (before == null ? 0 : before), before, onHand,
                        reserved, before == null ? version : version + 1);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            p.executeUpdate();
        }
    }

    static int update(String sql, Object... args) {
        try (Connection c = db().getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** stock reads what a goods has available (onHand - reserved); null when it has no stock row. */
    static Integer stock(long goodsId) {
        List<List<Object>> rows = query("SELECT on_hand - reserved FROM inventory WHERE goods_id = ?", goodsId);
        return rows.isEmpty() ? null : ((Number) rows.getFirst().getFirst()).intValue();
    }

    /** level reads a stock row as [onHand, reserved, version]; null when there is none. */
    static List<Long> level(long goodsId) {
        List<List<Object>> rows = query("SELECT on_hand, reserved, version FROM inventory WHERE goods_id = ?", goodsId);
        return rows.isEmpty() ? null : rows.getFirst().stream().map(v -> ((Number) v).longValue()).toList();
    }

    /** movements reads a goods' ledger rows as "KIND onHandDelta/reservedDelta [orderSn] [reason]", oldest first. */
    static List<String> movements(long goodsId) {
        return query("SELECT kind, on_hand_delta, reserved_delta, order_sn, reason FROM stock_movement WHERE goods_id = ?"
                + " ORDER BY id", goodsId).stream().map(r -> r.get(0) + " " + r.get(1) + "/" + r.get(2)
                + (r.get(3) == null ? "" : " " + r.get(3)) + (r.get(4) == null ? "" : " " + r.get(4))).toList();
    }

    /**
     * assertReconciled fails unless every goods' counters equal its records (the check the scheduled
     * function runs) and no goods has more reserved than on hand.
     */
    static void assertReconciled() {
        InventoryRepository.Reconciliation r = new JdbcInventoryRepository(db()).reconcile();
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), r.mismatches(), "counters that disagree with the ledger");
        org.junit.jupiter.api.Assertions.assertEquals(0L, count("SELECT COUNT(*) FROM inventory WHERE reserved > on_hand"
                + " OR reserved < 0"), "oversold goods");
    }

    static List<List<Object>> query(String sql, Object... args) {
        try (Connection c = db().getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long count(String sql, Object... args) {
        return ((Number) query(sql, args).getFirst().getFirst()).longValue();
    }

    /** snapshot is everything inventory owns, to prove a refused request wrote nothing: counters, versions, reservations, ledger. */
    static String snapshot() {
        return query("SELECT goods_id, on_hand, reserved, version, sellable, updated_at FROM inventory ORDER BY goods_id")
                + " | " + query("SELECT order_sn, status, items, requested, expires_at, created_at, reserved_by, settled_at,"
                + " settled_by, return_reason, updated_at FROM stock_sell_detail ORDER BY order_sn")
                + " | " + query("SELECT * FROM stock_movement ORDER BY id");
    }

    // ------------------------------------------------------------------ events

    static APIGatewayProxyRequestEvent event(String method, String resource, Map<String, String> pathParams,
                                             String body, String roles) {
        String path = resource;
        for (var e : pathParams.entrySet()) {
            path = path.replace("{" + e.getKey() + "}", e.getValue());
        }
        var ctx = new APIGatewayProxyRequestEvent.ProxyRequestContext();
        ctx.setRequestId(UUID.randomUUID().toString());
        if (roles != null) {
            ctx.setAuthorizer(new HashMap<>(Map.of("principalId", "u-" + roles, "roles", roles)));
        }
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withResource(resource).withPath(path)
                .withPathParameters(pathParams.isEmpty() ? null : pathParams)
                .withHeaders(Map.of("Content-Type", "application/json")).withBody(body).withRequestContext(ctx);
    }

    static APIGatewayProxyRequestEvent reserveEvent(String orderSn, Map<Long, Integer> items) {
        StringBuilder sb = new StringBuilder("{\"orderSn\":\"").append(orderSn).append("\",\"items\":[");
        String sep = "";
        for (var e : items.entrySet()) {
            sb.append(sep).append("{\"goodsId\":").append(e.getKey()).append(",\"num\":").append(e.getValue()).append('}');
            sep = ",";
        }
        return event("POST", "/inventory/reservations", Map.of(), sb.append("]}").toString(), "service");
    }

    static APIGatewayProxyRequestEvent actionEvent(String orderSn, String action) {
        return event("POST", "/inventory/reservations/{orderSn}/" + action, Map.of("orderSn", orderSn), null, "service");
    }

    /** loadEvent reads an events/*.json sample the way the Lambda runtime deserialises it. */
    static APIGatewayProxyRequestEvent loadEvent(String file) {
        return EventLoader.loadApiGatewayRestEvent("../events/" + file);
    }

    static JsonNode json(APIGatewayProxyResponseEvent response) {
        try {
            return Json.MAPPER.readTree(response.getBody());
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + response.getBody(), e);
        }
    }

    static String problemType(APIGatewayProxyResponseEvent response) {
        return json(response).path("type").asText();
    }
}
