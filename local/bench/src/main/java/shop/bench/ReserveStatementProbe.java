package shop.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.Optional;
import shop.inventory.JdbcInventoryRepository;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.LocalStack;

/**
 * ReserveStatementProbe measures the server CPU of one reservation statement and its parts, one
 * connection, one thread, on the local stack's MariaDB: the ceiling's bare UPDATE, the reserve INSERT
 * whose trigger deducts (what ships), the detail INSERT without any trigger, with and without the
 * sweeper's index, and, on copies of the table, the trigger as V301 wrote it (goods checked by a
 * SELECT per item) and one UPDATE joined with JSON_TABLE. mariadbd's CPU comes from /proc.
 *
 * <p>Usage: {@code ./dev bench ReserveStatementProbe [calls]}, default 4,000 per variant and size;
 * the second of two rounds counts.
 */
public final class ReserveStatementProbe {
    private static final String JSON_TABLE_TRIGGER = """
            CREATE TRIGGER t_json_table AFTER INSERT ON d_json_table FOR EACH ROW
            BEGIN
              UPDATE inventory i JOIN JSON_TABLE(NEW.items, '$[*]' COLUMNS (goods_id BIGINT PATH '$.goodsId',
                  num INT PATH '$.num')) j ON i.goods_id = j.goods_id
              SET i.reserved = i.reserved + j.num WHERE i.sellable;
              IF ROW_COUNT() <> JSON_LENGTH(NEW.items) THEN
                SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'not reservable', MYSQL_ERRNO = 1644;
              END IF;
            END""";

    private ReserveStatementProbe() {
    }

    /** v301Trigger is V301's reserve trigger as shipped, on the copy table d_v301 (V302 replaced it). */
    private static String v301Trigger() throws java.io.IOException {
        String sql;
        try (var in = ReserveStatementProbe.class.getResourceAsStream("/db/migration/V301__inventory_reserve_trigger.sql")) {
            sql = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String trigger = sql.substring(sql.indexOf("CREATE TRIGGER"), sql.indexOf("END$$") + "END".length());
        // On today's schema it adds to reserved where it took from stock (the column is now on_hand - reserved).
        return trigger.replace("inventory_reserve_apply", "t_v301").replace("ON stock_sell_detail", "ON d_v301")
                .replace("SET stock = stock - v_num", "SET reserved = reserved + v_num");
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 4_000;
        LocalStack stack = LocalStack.start(System.getenv());
        try {
            var e = stack.endpoints();
            long pid = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().orElse("").endsWith("mariadbd")).findFirst().orElseThrow().pid();
            try (HikariDataSource ds = Database.pool(new DbConfig(JdbcInventoryRepository.jdbcUrl(e.jdbcUrl()),
                    Optional.empty(), e.admin().user(), e.admin().password(), 1), AwsConfig.from(Env.of(e.toEnvironment())), "probe",
                    JdbcInventoryRepository.SESSION_SETTINGS)) {
                Migrations.migrate(ds);
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    setUp(s);
                    run(c, pid, calls);
                }
            }
        } finally {
            stack.close();
        }
        System.exit(0);
    }

    private static void setUp(Statement s) throws java.sql.SQLException, java.io.IOException {
        s.execute("INSERT INTO category (id, name, level) VALUES (1, 'probe', 1)");
        s.execute("INSERT INTO brand (id, name) VALUES (1, 'probe')");
        s.execute("INSERT INTO goods (id, category_id, brand_id, name, goods_sn, shop_price, images, desc_images) VALUES"
                + " (1,1,1,'g1','sn1',100,'[]','[]'), (2,1,1,'g2','sn2',100,'[]','[]'), (3,1,1,'g3','sn3',100,'[]','[]')");
        s.execute("INSERT INTO inventory (goods_id, on_hand) VALUES (1, 100000000), (2, 100000000), (3, 100000000)");
        for (String t : new String[] {"d_plain", "d_no_index", "d_v301", "d_json_table"}) {
            s.execute("CREATE TABLE " + t + " LIKE stock_sell_detail");
        }
        s.execute("ALTER TABLE d_no_index DROP INDEX idx_detail_status_expiry");
        s.execute(v301Trigger());
        s.execute(JSON_TABLE_TRIGGER);
    }

    private static void run(Connection c, long pid, int calls) throws Exception {
        String[] names = {"ceiling: bare autocommit UPDATE per item", "reserve INSERT + trigger (V303, ships)",
            "detail INSERT, no trigger", "detail INSERT, no trigger, no sweeper index",
            "INSERT + trigger as V301 (goods SELECT per item)", "INSERT + trigger with one UPDATE ... JSON_TABLE"};
        String insert = "INSERT INTO %s (order_sn, status, items, expires_at) VALUES (?, 'RESERVED', ?, ?)";
        String[] sql = {"UPDATE inventory SET reserved = reserved + ? WHERE goods_id = ? AND on_hand - reserved >= ?",
            insert.formatted("stock_sell_detail"), insert.formatted("d_plain"), insert.formatted("d_no_index"),
            insert.formatted("d_v301"), insert.formatted("d_json_table")};
        long seq = 0;
        for (int round = 0; round < 2; round++) {
            if (round == 1) {
                System.out.println("| statement (one connection) | items | mariadbd CPU us | client CPU us | wall us |");
                System.out.println("|---|---:|---:|---:|---:|");
            }
            for (int v = 0; v < names.length; v++) {
                for (int items : new int[] {1, 3}) {
                    try (PreparedStatement p = c.prepareStatement(sql[v])) {
                        long s0 = ProcCpu.totalNanos(pid);
                        long c0 = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
                        long t0 = System.nanoTime();
                        for (int i = 0; i < calls; i++) {
                            if (v == 0) {
                                for (int k = 0; k < items; k++) {
                                    p.setInt(1, 1);
                                    p.setLong(2, 1 + k);
                                    p.setInt(3, 1);
                                    p.executeUpdate();
                                }
                            } else {
                                p.setString(1, "probe-" + seq++);
                                p.setString(2, items == 1 ? "[{\"goodsId\":1,\"num\":1}]"
                                        : "[{\"goodsId\":1,\"num\":1},{\"goodsId\":2,\"num\":1},{\"goodsId\":3,\"num\":1}]");
                                p.setObject(3, LocalDateTime.now().plusMinutes(15));
                                p.executeUpdate();
                            }
                        }
                        if (round == 1) {
                            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f |%n", names[v], items,
                                    (ProcCpu.totalNanos(pid) - s0) / 1e3 / calls,
                                    (ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() - c0) / 1e3 / calls,
                                    (System.nanoTime() - t0) / 1e3 / calls);
                        }
                    }
                }
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SUM(on_hand - reserved) FROM inventory")) {
            rs.next();
            System.out.println("\n(stock left over the three goods: " + rs.getLong(1) + ")");
        }
    }
}
