package shop.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import shop.inventory.InventoryRepository;
import shop.inventory.JdbcInventoryRepository;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.LocalStack;

/**
 * ReconcileProbe measures how the inventory reconciliation's one statement grows with the ledger: it
 * sums every record of every goods on each run, so its time follows the ledger's size, and the
 * scheduled check has its function's 300 s. On the local stack's MariaDB (256 MB buffer pool), it
 * builds {@code goods} goods with open reservations, grows the ledger to each size in turn (records
 * spread evenly over the goods, each goods' counters kept equal to its records), and times the check
 * {@code repeats} times per size, reporting the median and the range. Each run must check every goods
 * and find each reconciled, else the size is FAILED and the probe exits 1: {@code --corrupt} shows
 * that happen, putting one unit on hand behind the ledger's back before the first size.
 *
 * <p>Usage: {@code ./dev bench ReconcileProbe [sizes] [goods] [openReservations] [repeats] [--corrupt]},
 * default {@code 1000000,4000000,10000000 100000 10000 3}.
 */
public final class ReconcileProbe {

    private ReconcileProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        boolean corrupt = a.remove("--corrupt");
        long[] sizes = Arrays.stream((a.size() > 0 ? a.get(0) : "1000000,4000000,10000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        int goods = a.size() > 1 ? Integer.parseInt(a.get(1)) : 100_000;
        int open = a.size() > 2 ? Integer.parseInt(a.get(2)) : 10_000;
        int repeats = a.size() > 3 ? Integer.parseInt(a.get(3)) : 3;
        LocalStack stack = LocalStack.start(System.getenv());
        boolean failed = false;
        try {
            var e = stack.endpoints();
            try (HikariDataSource ds = Database.pool(new DbConfig(JdbcInventoryRepository.jdbcUrl(e.jdbcUrl()),
                    Optional.empty(), e.admin().user(), e.admin().password(), 2), AwsConfig.from(Env.of(e.toEnvironment())),
                    "probe", JdbcInventoryRepository.SESSION_SETTINGS)) {
                Migrations.migrate(ds);
                JdbcInventoryRepository repository = new JdbcInventoryRepository(ds);
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    setUp(s, goods, open, sizes[0]);
                    if (corrupt) {
                        s.execute("UPDATE inventory SET on_hand = on_hand + 1 WHERE goods_id = 1");
                    }
                    System.out.printf(Locale.ROOT, "%ngoods %,d, open reservations %,d, %d runs per size%s%n%n", goods, open,
                            repeats, corrupt ? ", goods 1 corrupted on purpose" : "");
                    System.out.println("| ledger records | ledger on disk (MB) | check (s), median (min to max) | records per s | result |");
                    System.out.println("|---:|---:|---:|---:|---|");
                    long have = sizes[0];
                    for (long size : sizes) {
                        if (size > have) {
                            grow(s, goods, have, size);
                            have = size;
                        }
                        s.execute("ANALYZE TABLE stock_movement");
                        long[] ms = new long[repeats];
                        String result = "ok";
                        for (int r = 0; r < repeats; r++) {
                            long t0 = System.nanoTime();
                            InventoryRepository.Reconciliation check = repository.reconcile();
                            ms[r] = (System.nanoTime() - t0) / 1_000_000;
                            List<Long> named = check.mismatches().stream().map(m -> m.goodsId()).toList();
                            if (check.checked() != goods || !named.isEmpty()) {
                                result = "FAILED: checked " + check.checked() + ", mismatched " + named.stream().limit(5).toList();
                                failed = true;
                            }
                        }
                        Arrays.sort(ms);
                        double median = ms[repeats / 2] / 1e3;
                        System.out.printf(Locale.ROOT, "| %,d | %d | %.1f (%.1f to %.1f) | %,.0f | %s |%n", size, megabytes(s),
                                median, ms[0] / 1e3, ms[repeats - 1] / 1e3, size / median, result);
                    }
                }
            }
        } finally {
            stack.close();
        }
        System.exit(failed ? 1 : 0);
    }

    /** setUp makes the goods, their stock rows, {@code records} opening records and the open reservations. */
    private static void setUp(Statement s, int goods, int open, long records) throws SQLException {
        s.execute("INSERT INTO category (id, name, level) VALUES (1, 'probe', 1)");
        s.execute("INSERT INTO brand (id, name) VALUES (1, 'probe')");
        s.execute("INSERT INTO goods (id, category_id, brand_id, name, goods_sn, shop_price, images, desc_images)"
                + " SELECT seq, 1, 1, CONCAT('g', seq), CONCAT('sn', seq), 100, '[]', '[]' FROM seq_1_to_" + goods);
        s.execute("INSERT INTO inventory (goods_id) SELECT seq FROM seq_1_to_" + goods);
        grow(s, goods, 0, records);
        // Open reservations of one unit each, through the reserve trigger as the service writes them.
        try (PreparedStatement p = s.getConnection().prepareStatement("INSERT INTO stock_sell_detail (order_sn, status,"
                + " items, expires_at, created_at, reserved_by) VALUES (?, 'RESERVED', ?, UTC_TIMESTAMP(3) + INTERVAL 1 DAY,"
                + " UTC_TIMESTAMP(3), 'probe')")) {
            for (int i = 1; i <= open; i++) {
                p.setString(1, "probe-" + i);
                p.setString(2, "[{\"goodsId\":" + (i % goods + 1) + ",\"num\":1}]");
                p.addBatch();
                if (i % 1_000 == 0 || i == open) {
                    p.executeBatch();
                }
            }
        }
    }

    /** grow adds records {@code from + 1} to {@code to} (one unit received each) and puts them on hand. */
    private static void grow(Statement s, int goods, long from, long to) throws SQLException {
        for (long at = from; at < to; at += 1_000_000) {
            long end = Math.min(to, at + 1_000_000);
            s.execute("INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, reason, caller)"
                    + " SELECT seq % " + goods + " + 1, 'ADJUSTMENT', UTC_TIMESTAMP(3), 1, 0, 'received', 'probe'"
                    + " FROM seq_" + (at + 1) + "_to_" + end);
            s.execute("UPDATE inventory i JOIN (SELECT seq % " + goods + " + 1 AS goods_id, COUNT(*) AS n FROM seq_"
                    + (at + 1) + "_to_" + end + " GROUP BY goods_id) r ON r.goods_id = i.goods_id"
                    + " SET i.on_hand = i.on_hand + r.n");
        }
    }

    private static long megabytes(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT (data_length + index_length) / 1048576 FROM information_schema.tables"
                + " WHERE table_schema = DATABASE() AND table_name = 'stock_movement'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
