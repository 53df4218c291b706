package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.testing.TestStack;

/**
 * The upgrade to onHand/reserved and the ledger (V303), from a database that the previous release's
 * migration files built and its code filled: stock set, reservations RESERVED (live at the upgrade),
 * CONFIRMED and RETURNED, a soft-deleted goods with a live reservation. After V303, available is what
 * `stock` was for every goods, the held units are reserved, each stocked goods has its OPENING record,
 * the counters reconcile, and the reservations made before the upgrade settle through the new triggers
 * and keep reconciling. The previous release's own statements then read right and fail whole on writes.
 */
class LedgerMigrationTest {

    /** The migrations the previous release (main at bb7f26c) shipped, SQL ones; V204 (Java) comes later, out of order. */
    private static final List<String> RELEASED = List.of("V1__schema.sql", "V201__catalog_indexes.sql",
            "V202__goods_category_path_and_flag_indexes.sql", "V203__goods_count.sql", "V205__goods_newest_first_indexes.sql",
            "V206__goods_brand_price_count.sql", "V300__inventory_reserve_procedure.sql",
            "V301__inventory_reserve_trigger.sql", "V302__inventory_reserve_sellable.sql");

    @Test
    void v303_keepsAvailable_reservesTheHeldUnits_opensTheLedger_andReconciles(@TempDir Path released) throws Exception {
        try (HikariDataSource ds = releasedDatabase(released, "ledger_migration", 4)) {
            // The previous release's data, written with the previous release's statements.
            exec(ds, "INSERT INTO category (name, level) VALUES ('Food', 1)", "INSERT INTO brand (name) VALUES ('Orchard')",
                    "INSERT INTO goods (id, name, goods_sn, category_id, brand_id, shop_price, images, desc_images) VALUES"
                            + " (1, 'a', 'a', 1, 1, 100, '[]', '[]'), (2, 'b', 'b', 1, 1, 100, '[]', '[]'),"
                            + " (3, 'c', 'c', 1, 1, 100, '[]', '[]'), (4, 'd', 'd', 1, 1, 100, '[]', '[]'),"
                            + " (5, 'e', 'e', 1, 1, 100, '[]', '[]')",
                    // goods 4 has no stock row; goods 5 will be deleted with a live reservation.
                    "INSERT INTO inventory (goods_id, stock) VALUES (1, 10), (2, 5), (3, 0), (5, 8)");
            oldReserve(ds, "live-1", "[{\"goodsId\":1,\"num\":3},{\"goodsId\":2,\"num\":1}]", "1 HOUR");
            oldReserve(ds, "live-2", "[{\"goodsId\":1,\"num\":2}]", "1 HOUR");
            oldReserve(ds, "live-old", "[{\"goodsId\":2,\"num\":2}]", "-1 MINUTE"); // expired, not yet swept
            oldReserve(ds, "live-5", "[{\"goodsId\":5,\"num\":4}]", "1 HOUR");
            oldReserve(ds, "sold", "[{\"goodsId\":1,\"num\":1}]", "1 HOUR");
            exec(ds, "UPDATE stock_sell_detail SET status = 'CONFIRMED' WHERE order_sn = 'sold'");
            oldReserve(ds, "gone", "[{\"goodsId\":2,\"num\":1}]", "1 HOUR");
            oldCancel(ds, "gone", Map.of(2L, 1));
            exec(ds, "UPDATE goods SET deleted_at = NOW(3) WHERE id = 5");
            Map<Long, Long> availableBefore = longs(ds, "SELECT goods_id, stock FROM inventory ORDER BY goods_id");
            assertEquals(Map.of(1L, 4L, 2L, 2L, 3L, 0L, 5L, 4L), availableBefore);

            assertEquals(5, Migrations.migrate(ds), "V120, V204 and V207 (out of order), V303 and V304");

            // available unchanged for every goods; onHand = stock + held units; reserved = held units.
            assertEquals(availableBefore, longs(ds, "SELECT goods_id, on_hand - reserved FROM inventory ORDER BY goods_id"));
            assertEquals(availableBefore, longs(ds, "SELECT goods_id, stock FROM inventory ORDER BY goods_id"),
                    "the deprecated column reads available");
            assertEquals(Map.of(1L, 9L, 2L, 5L, 3L, 0L, 5L, 8L), longs(ds, "SELECT goods_id, on_hand FROM inventory ORDER BY goods_id"));
            assertEquals(Map.of(1L, 5L, 2L, 3L, 3L, 0L, 5L, 4L), longs(ds, "SELECT goods_id, reserved FROM inventory ORDER BY goods_id"));
            // One OPENING record per stocked goods, keeping the old stock as the value it replaced.
            assertEquals(Map.of(1L, 9L, 2L, 5L, 3L, 0L, 5L, 8L),
                    longs(ds, "SELECT goods_id, on_hand_delta FROM stock_movement WHERE kind = 'OPENING' ORDER BY goods_id"));
            assertEquals(Map.of(1L, 4L, 2L, 2L, 3L, 0L, 5L, 4L),
                    longs(ds, "SELECT goods_id, replaced_on_hand FROM stock_movement WHERE kind = 'OPENING' ORDER BY goods_id"));
            assertEquals(4L, one(ds, "SELECT COUNT(*) FROM stock_movement"));
            // V304: the running balance starts empty; its cursor saw the ledger the upgrade left.
            assertEquals(0L, one(ds, "SELECT COUNT(*) FROM stock_balance"));
            assertEquals(0L, one(ds, "SELECT folded_through FROM stock_balance_cursor WHERE id = 1"));
            assertEquals(4L, one(ds, "SELECT seen_id FROM stock_balance_cursor WHERE id = 1"));
            JdbcInventoryRepository repository = new JdbcInventoryRepository(ds);
            assertReconciled(repository);
            assertEquals(0L, one(ds, "SELECT folded_through FROM stock_balance_cursor WHERE id = 1"), "folded too soon");
            // Minutes on, the next check folds the opening records, and reconciles the same.
            exec(ds, "UPDATE stock_balance_cursor SET seen_at = seen_at - INTERVAL 16 MINUTE");
            assertReconciled(repository);
            assertEquals(4L, one(ds, "SELECT folded_through FROM stock_balance_cursor WHERE id = 1"));
            assertEquals(Map.of(1L, 9L, 2L, 5L, 3L, 0L, 5L, 8L), longs(ds, "SELECT goods_id, on_hand FROM stock_balance ORDER BY goods_id"));
            // No test hook in the shipped schema: no SLEEP, no session variable in any trigger.
            for (String body : strings(ds, "SELECT ACTION_STATEMENT FROM information_schema.triggers"
                    + " WHERE trigger_schema = 'ledger_migration'")) {
                assertFalse(body.toUpperCase(java.util.Locale.ROOT).contains("SLEEP"), body);
                assertFalse(body.contains("@"), body);
            }

            // The reservations made before the upgrade settle through the new path and keep reconciling.
            Instant now = Instant.now();
            assertTrue(repository.confirm("live-1", now, "order-service").changed());
            assertTrue(repository.cancel("live-2", now, "order-service").changed());
            assertEquals(1, repository.sweepBatch(now, 10), "the expired one");
            assertTrue(repository.cancel("live-5", now, "order-service").changed(), "a deleted goods' reservation releases");
            assertEquals(Map.of(1L, 6L, 2L, 4L, 3L, 0L, 5L, 8L), longs(ds, "SELECT goods_id, on_hand FROM inventory ORDER BY goods_id"));
            assertEquals(Map.of(1L, 0L, 2L, 0L, 3L, 0L, 5L, 0L), longs(ds, "SELECT goods_id, reserved FROM inventory ORDER BY goods_id"));
            assertReconciled(repository);
            // A repeat of a reservation settled before the upgrade answers it; one cancelled then is refused as such.
            assertEquals(ReservationStatus.CONFIRMED, repository.find("sold").orElseThrow().status());
            Reservation gone = repository.find("gone").orElseThrow();
            assertEquals(ReservationStatus.RETURNED, gone.status());
            InventoryService service = new InventoryService(repository, new NoOpOrderLock(), InventoryConfig.QuorumLoss.PROCEED);
            assertEquals(409, assertThrows(shop.platform.error.ProblemException.class, () -> service.reserve(
                    new ReserveRequest("gone", List.of(new ReserveRequest.Item(2L, 1)), null), "order-service")).status());
            // New reservations and a count work on the upgraded schema.
            assertEquals(201, service.reserve(new ReserveRequest("after-1", List.of(new ReserveRequest.Item(1L, 6)), null),
                    "order-service").created() ? 201 : 200);
            assertEquals(6, service.count(4L, 6, 0L, "admin").onHand());
            assertReconciled(repository);

            // The previous release's statements during the deploy: reads are right, writes fail whole.
            String before = state(ds);
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                // The old cancel: its status change now releases the units (the new trigger), then its
                // write of stock fails, and the old code rolls the transaction back: nothing happened.
                st.execute("START TRANSACTION");
                st.execute("UPDATE stock_sell_detail SET status = 'RETURNED' WHERE order_sn = 'after-1'");
                assertThrows(SQLException.class, () -> st.execute("UPDATE inventory SET stock = stock + 6 WHERE goods_id = 1"));
                st.execute("ROLLBACK");
            }
            assertThrows(SQLException.class, () -> exec(ds, "INSERT INTO inventory (goods_id, stock) SELECT id, 50 FROM goods"
                    + " WHERE id = 3 AND deleted_at IS NULL ON DUPLICATE KEY UPDATE stock = 50, version = version + 1"),
                    "the old set-stock");
            assertEquals(before, state(ds));
            assertReconciled(repository);
        } finally {
            exec(ADMIN_URL.get(), "DROP DATABASE IF EXISTS ledger_migration");
        }
    }

    @Test
    void v303_underTheOldReleasesTraffic_losesNoUnit(@TempDir Path released) throws Exception {
        try (HikariDataSource ds = releasedDatabase(released, "ledger_migration_live", 12)) {
            exec(ds, "INSERT INTO category (name, level) VALUES ('Food', 1)", "INSERT INTO brand (name) VALUES ('Orchard')");
            StringBuilder goods = new StringBuilder();
            for (int g = 1; g <= 5; g++) {
                goods.append(g == 1 ? "" : ",").append("(").append(g).append(", 'g").append(g).append("', 'g").append(g)
                        .append("', 1, 1, 100, '[]', '[]')");
            }
            exec(ds, "INSERT INTO goods (id, name, goods_sn, category_id, brand_id, shop_price, images, desc_images) VALUES " + goods,
                    "INSERT INTO inventory (goods_id, stock) SELECT id, 100000 FROM goods");
            // The previous release's code keeps reserving, confirming and cancelling on 8 connections while
            // V303 runs; its cancels fail once the schema changed (and roll back whole), everything else works.
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger reserved = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<?>> traffic = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int worker = t;
                traffic.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(worker);
                    for (int i = 0; running.get() || i < 20; i++) {
                        String orderSn = "old-" + worker + "-" + i;
                        int g = 1 + random.nextInt(5);
                        try {
                            oldReserve(ds, orderSn, "[{\"goodsId\":" + g + ",\"num\":" + (1 + random.nextInt(3)) + "}]", "1 HOUR");
                            reserved.incrementAndGet();
                            int dice = random.nextInt(10);
                            if (dice < 5) {
                                exec(ds, "UPDATE stock_sell_detail SET status = 'CONFIRMED' WHERE order_sn = '" + orderSn
                                        + "' AND status = 'RESERVED'");
                            } else if (dice < 7) {
                                oldCancelOrRollBack(ds, orderSn);
                            }
                        } catch (SQLException e) {
                            if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) { // the old code retried these
                                throw e;
                            }
                        }
                    }
                    return null;
                }));
            }
            while (reserved.get() < 100) {
                Thread.sleep(5);
            }
            assertEquals(5, Migrations.migrate(ds), "V120, V204 and V207 (out of order), V303 and V304");
            int atUpgrade = reserved.get();
            running.set(false);
            for (var f : traffic) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertTrue(reserved.get() > atUpgrade, "the old code reserved after the upgrade too");
            // Every unit is on the shelf, held, or sold, exactly once: onHand = 100000 - sold, reserved = held.
            Map<Long, Long> sold = new LinkedHashMap<>();
            Map<Long, Long> held = new LinkedHashMap<>();
            for (long g = 1; g <= 5; g++) {
                sold.put(g, one(ds, "SELECT COALESCE(SUM(j.num), 0) FROM stock_sell_detail d, JSON_TABLE(d.items, '$[*]'"
                        + " COLUMNS (goods_id BIGINT PATH '$.goodsId', num INT PATH '$.num')) j WHERE d.status = 'CONFIRMED'"
                        + " AND j.goods_id = " + g));
                held.put(g, one(ds, "SELECT COALESCE(SUM(j.num), 0) FROM stock_sell_detail d, JSON_TABLE(d.items, '$[*]'"
                        + " COLUMNS (goods_id BIGINT PATH '$.goodsId', num INT PATH '$.num')) j WHERE d.status = 'RESERVED'"
                        + " AND j.goods_id = " + g));
            }
            Map<Long, Long> onHand = longs(ds, "SELECT goods_id, on_hand FROM inventory ORDER BY goods_id");
            for (long g = 1; g <= 5; g++) {
                assertEquals(100_000 - sold.get(g), onHand.get(g), "goods " + g + ": onHand != initial - sold");
            }
            assertEquals(held, longs(ds, "SELECT goods_id, reserved FROM inventory ORDER BY goods_id"));
            assertReconciled(new JdbcInventoryRepository(ds));
        } finally {
            exec(ADMIN_URL.get(), "DROP DATABASE IF EXISTS ledger_migration_live");
        }
    }

    /** oldCancelOrRollBack is the previous release's cancel as its code ran it: a failure rolls it back whole. */
    private static void oldCancelOrRollBack(HikariDataSource ds, String orderSn) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try {
                s.execute("START TRANSACTION");
                List<String> items = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT status, items FROM stock_sell_detail WHERE order_sn = '" + orderSn
                        + "' FOR UPDATE")) {
                    if (!rs.next() || !rs.getString(1).equals("RESERVED")) {
                        s.execute("ROLLBACK");
                        return;
                    }
                    items.add(rs.getString(2));
                }
                var item = shop.platform.json.Json.MAPPER.readTree(items.getFirst()).get(0);
                s.execute("UPDATE stock_sell_detail SET status = 'RETURNED' WHERE order_sn = '" + orderSn + "'");
                s.execute("UPDATE inventory SET stock = stock + " + item.path("num").asInt() + " WHERE goods_id = "
                        + item.path("goodsId").asLong());
                s.execute("COMMIT");
            } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
                s.execute("ROLLBACK");
            }
        }
    }

    private static final java.util.function.Supplier<String> ADMIN_URL =
            () -> TestStack.get().stack().endpoints().jdbcUrl().replace("/shop?", "/?");

    /**
     * releasedDatabase makes database {@code name} afresh with the previous release's migration files
     * (copied into {@code dir}) and returns a pool on it with the inventory repository's options.
     */
    private static HikariDataSource releasedDatabase(Path dir, String name, int connections) throws Exception {
        for (String file : RELEASED) {
            try (InputStream in = LedgerMigrationTest.class.getResourceAsStream("/db/migration/" + file)) {
                Files.copy(in, dir.resolve(file));
            }
        }
        exec(ADMIN_URL.get(), "DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name);
        TestStack test = TestStack.get();
        String url = test.stack().endpoints().jdbcUrl().replace("/shop?", "/" + name + "?");
        HikariDataSource ds = Database.pool(new DbConfig(JdbcInventoryRepository.jdbcUrl(url), Optional.empty(), "root", "",
                connections), AwsConfig.from(test.env(Map.of())), name, JdbcInventoryRepository.SESSION_SETTINGS);
        Flyway.configure().dataSource(ds).locations("filesystem:" + dir).load().migrate();
        return ds;
    }

    /** oldReserve is the previous release's reserve: the INSERT whose V302 trigger deducts stock. */
    private static void oldReserve(HikariDataSource ds, String orderSn, String items, String expiresIn) throws SQLException {
        exec(ds, "INSERT INTO stock_sell_detail (order_sn, status, items, expires_at) VALUES ('" + orderSn + "', 'RESERVED', '"
                + items + "', UTC_TIMESTAMP(3) + INTERVAL " + expiresIn + ")");
    }

    /** oldCancel is the previous release's cancel: status and stock in one transaction. */
    private static void oldCancel(HikariDataSource ds, String orderSn, Map<Long, Integer> items) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("START TRANSACTION");
            s.execute("UPDATE stock_sell_detail SET status = 'RETURNED' WHERE order_sn = '" + orderSn + "'");
            for (var e : items.entrySet()) {
                s.execute("UPDATE inventory SET stock = stock + " + e.getValue() + " WHERE goods_id = " + e.getKey());
            }
            s.execute("COMMIT");
        }
    }

    private static void assertReconciled(JdbcInventoryRepository repository) {
        InventoryRepository.Reconciliation r = repository.reconcile();
        assertEquals(List.of(), r.mismatches());
        assertTrue(r.checked() >= 4, "checked " + r.checked());
    }

    private static String state(HikariDataSource ds) throws SQLException {
        return longs(ds, "SELECT goods_id, on_hand * 1000000 + reserved * 1000 + version FROM inventory ORDER BY goods_id")
                + " " + strings(ds, "SELECT CONCAT(order_sn, status) FROM stock_sell_detail ORDER BY order_sn")
                + " " + one(ds, "SELECT COUNT(*) FROM stock_movement");
    }

    private static Map<Long, Long> longs(HikariDataSource ds, String sql) throws SQLException {
        Map<Long, Long> out = new LinkedHashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static List<String> strings(HikariDataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long one(HikariDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(HikariDataSource ds, String... sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static void exec(String url, String... sql) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url, "root", ""); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }
}
