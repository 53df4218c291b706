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
        TestStack.get().truncate("inventory", "stock_sell_detail");
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

    static void setStock(long goodsId, int stock) {
        update("INSERT INTO inventory (goods_id, stock) VALUES (?, ?) ON DUPLICATE KEY UPDATE stock = VALUES(stock)",
                goodsId, stock);
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

    /** stock reads a stock row; null when there is none. */
    static Integer stock(long goodsId) {
        List<List<Object>> rows = query("SELECT stock FROM inventory WHERE goods_id = ?", goodsId);
        return rows.isEmpty() ? null : ((Number) rows.getFirst().getFirst()).intValue();
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

    /** snapshot is everything inventory owns, to prove a refused request wrote nothing. */
    static String snapshot() {
        return query("SELECT goods_id, stock, version FROM inventory ORDER BY goods_id") + " | "
                + query("SELECT order_sn, status, items, expires_at FROM stock_sell_detail ORDER BY order_sn");
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
