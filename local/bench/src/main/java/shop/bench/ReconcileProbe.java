package shop.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import shop.inventory.InventoryRepository;
import shop.inventory.JdbcInventoryRepository;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.platform.deadline.Deadline;
import shop.stack.LocalStack;

/**
 * ReconcileProbe measures the inventory reconciliation's cost as the ledger grows, against the
 * full-history check it replaced. On the local stack's MariaDB (256 MB buffer pool), it builds
 * {@code goods} goods with open reservations and grows the ledger to each size in turn (records spread
 * evenly over the goods, each goods' counters kept equal to its records). Per size, side by side:
 * <ul>
 *   <li><b>full history</b>: the check before V304, every record summed (its statement, run here);</li>
 *   <li><b>first run</b>: a run that finds nothing folded and the whole ledger seen 16 minutes ago (the
 *       first fold after the upgrade): it folds as much as its share of a 300 s deadline allows, then
 *       checks; the balance is emptied before each repeat;</li>
 *   <li><b>later run</b>: once folded, with {@code tail} new records since (a quarter hour of traffic):
 *       the scheduled run's steady cost.</li>
 * </ul>
 * Time passes by moving the cursor's {@code seen_at} back 16 minutes, as that time would. Each cell runs
 * {@code repeats} times, in rotated order, and reports the median and the range. Every run must check
 * every goods and find each reconciled, and a first run must have folded the whole ledger, else the
 * size is FAILED and the probe exits 1: {@code --corrupt} shows that happen, putting one unit on hand
 * behind the ledger's back before the first size.
 *
 * <p>Usage: {@code ./dev bench ReconcileProbe [sizes] [goods] [openReservations] [repeats] [tail] [--corrupt]},
 * default {@code 1000000,4000000,10000000 100000 10000 3 10000}.
 */
public final class ReconcileProbe {
    /** RUN_DEADLINE is InventoryReconciliationFunction's: its 300 s timeout less Deadline.RESERVE. */
    private static final Duration RUN_DEADLINE = Duration.ofSeconds(300).minus(Deadline.RESERVE);
    private static final String ITEMS = "JSON_TABLE(d.items, '$[*]' COLUMNS (goods_id BIGINT PATH '$.goodsId',"
            + " num INT PATH '$.num')) j";
    /** FULL_HISTORY is the check before V304: every record of every goods summed on every run. */
    private static final String FULL_HISTORY = """
            SELECT k.goods_id, i.on_hand, i.reserved, COALESCE(l.on_hand, 0), COALESCE(l.reserved, 0) + COALESCE(o.reserved, 0)
            FROM (SELECT goods_id FROM inventory
                  UNION SELECT goods_id FROM stock_movement
                  UNION SELECT j.goods_id FROM stock_sell_detail d, %1$s WHERE d.status = 'RESERVED') k
            LEFT JOIN inventory i ON i.goods_id = k.goods_id
            LEFT JOIN (SELECT goods_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
                       FROM stock_movement GROUP BY goods_id) l ON l.goods_id = k.goods_id
            LEFT JOIN (SELECT j.goods_id, SUM(j.num) AS reserved FROM stock_sell_detail d, %1$s
                       WHERE d.status = 'RESERVED' GROUP BY j.goods_id) o ON o.goods_id = k.goods_id
            ORDER BY k.goods_id""".formatted(ITEMS);

    private ReconcileProbe() {
    }

    /** Cell is one kind of run. */
    private enum Cell { FULL_HISTORY, FIRST_RUN, LATER_RUN }

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        boolean corrupt = a.remove("--corrupt");
        long[] sizes = Arrays.stream((a.size() > 0 ? a.get(0) : "1000000,4000000,10000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        int goods = a.size() > 1 ? Integer.parseInt(a.get(1)) : 100_000;
        int open = a.size() > 2 ? Integer.parseInt(a.get(2)) : 10_000;
        int repeats = a.size() > 3 ? Integer.parseInt(a.get(3)) : 3;
        int tail = a.size() > 4 ? Integer.parseInt(a.get(4)) : 10_000;
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
                    System.out.printf(Locale.ROOT, "%ngoods %,d, open reservations %,d, %d runs per cell (order rotated),"
                            + " later runs with a tail of %,d records, runs within %d s%s%n%n", goods, open, repeats, tail,
                            RUN_DEADLINE.toSeconds(), corrupt ? ", goods 1 corrupted on purpose" : "");
                    System.out.println("| ledger records | ledger on disk (MB) | full history (s) | first run: fold + check (s)"
                            + " | later run (s) | result |");
                    System.out.println("|---:|---:|---:|---:|---:|---|");
                    long have = sizes[0];
                    for (long size : sizes) {
                        if (size > have) {
                            grow(s, goods, have, size);
                            have = size;
                        }
                        s.execute("ANALYZE TABLE stock_movement");
                        Map<Cell, long[]> ms = new EnumMap<>(Cell.class);
                        for (Cell cell : Cell.values()) {
                            ms.put(cell, new long[repeats]);
                        }
                        List<String> problems = new ArrayList<>();
                        List<Cell> order = new ArrayList<>(List.of(Cell.values()));
                        for (int r = 0; r < repeats; r++) {
                            for (Cell cell : order) {
                                if (cell == Cell.LATER_RUN) {
                                    // Folded through the ledger as it stands, then a quarter hour of traffic.
                                    for (int fold = 0; fold < 3 && foldedThrough(s) != maxId(s); fold++) {
                                        age(s);
                                        check(repository, goods, problems, "fold for the later run");
                                    }
                                    if (foldedThrough(s) != maxId(s)) {
                                        problems.add("the fold for the later run stopped at " + foldedThrough(s));
                                    }
                                    grow(s, goods, have, have + tail);
                                    have += tail;
                                } else if (cell == Cell.FIRST_RUN) {
                                    unfold(s);
                                }
                                long t0 = System.nanoTime();
                                switch (cell) {
                                    case FULL_HISTORY -> fullHistory(s, goods, problems);
                                    case FIRST_RUN -> check(repository, goods, problems, "first run");
                                    case LATER_RUN -> check(repository, goods, problems, "later run");
                                }
                                ms.get(cell)[r] = (System.nanoTime() - t0) / 1_000_000;
                                if (cell == Cell.FIRST_RUN && foldedThrough(s) != maxId(s)) {
                                    problems.add("first run folded through id " + foldedThrough(s) + " of " + maxId(s));
                                }
                            }
                            Collections.rotate(order, 1);
                        }
                        failed |= !problems.isEmpty();
                        System.out.printf(Locale.ROOT, "| %,d | %d | %s | %s | %s | %s |%n", size, megabytes(s),
                                median(ms.get(Cell.FULL_HISTORY)), median(ms.get(Cell.FIRST_RUN)),
                                median(ms.get(Cell.LATER_RUN)), problems.isEmpty() ? "ok"
                                        : "FAILED: " + problems.stream().distinct().limit(3).toList());
                    }
                }
            }
        } finally {
            stack.close();
        }
        System.exit(failed ? 1 : 0);
    }

    /** check runs the reconciliation as the scheduled function does (within its deadline) and checks its answer. */
    private static void check(JdbcInventoryRepository repository, int goods, List<String> problems, String what) {
        InventoryRepository.Reconciliation check = Deadline.in(RUN_DEADLINE).run(repository::reconcile);
        List<Long> named = check.mismatches().stream().map(m -> m.goodsId()).toList();
        if (check.checked() != goods || !named.isEmpty()) {
            problems.add(what + ": checked " + check.checked() + ", mismatched " + named.stream().limit(5).toList());
        }
    }

    /** fullHistory runs the check before V304 and checks its answer the same way. */
    private static void fullHistory(Statement s, int goods, List<String> problems) throws SQLException {
        long checked = 0;
        List<Long> named = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(FULL_HISTORY)) {
            while (rs.next()) {
                checked++;
                if (rs.getObject(2) == null || rs.getLong(2) != rs.getLong(4) || rs.getLong(3) != rs.getLong(5)) {
                    named.add(rs.getLong(1));
                }
            }
        }
        if (checked != goods || !named.isEmpty()) {
            problems.add("full history: checked " + checked + ", mismatched " + named.stream().limit(5).toList());
        }
    }

    /** unfold empties the balance and has the whole ledger seen 16 minutes ago: the next run folds it all. */
    private static void unfold(Statement s) throws SQLException {
        s.execute("TRUNCATE TABLE stock_balance");
        s.execute("UPDATE stock_balance_cursor SET folded_through = 0, seen_id = (SELECT COALESCE(MAX(id), 0)"
                + " FROM stock_movement), seen_at = UTC_TIMESTAMP(3) - INTERVAL 16 MINUTE WHERE id = 1");
    }

    /** age moves the cursor's seen time back 16 minutes, as if that long had passed. */
    private static void age(Statement s) throws SQLException {
        s.execute("UPDATE stock_balance_cursor SET seen_at = seen_at - INTERVAL 16 MINUTE WHERE id = 1");
    }

    private static long maxId(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM stock_movement")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long foldedThrough(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT folded_through FROM stock_balance_cursor WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String median(long[] ms) {
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.2f (%.2f to %.2f)", sorted[sorted.length / 2] / 1e3, sorted[0] / 1e3,
                sorted[sorted.length - 1] / 1e3);
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
