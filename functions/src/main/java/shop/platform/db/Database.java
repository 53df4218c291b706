package shop.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import javax.sql.DataSource;
import shop.platform.aws.AwsClients;
import shop.platform.aws.CachedSecret;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.snapstart.SnapshotSensitive;

/**
 * Database builds the JDBC pool of an execution environment, once. A Lambda environment serves one
 * request at a time, so the pool is small; connections are validated and recycled before RDS or a
 * proxy would drop them. Each new connection takes its credentials from a {@link DbLogin} at that
 * moment: DB_USER/DB_PASSWORD, or the DB_SECRET_ARN secret cached with an expiry and read again when
 * the database refuses a login ({@link LoginDataSource}), so a rotated password costs no request.
 *
 * <p>Two connection modes (DB_RDS_PROXY). Direct: server-side prepared statements and the session
 * settings run on every new connection. Behind RDS Proxy: nothing that pins a client session to one
 * database connection, i.e. client-side prepared statements, no {@code SET} from the client, no
 * {@code sessionVariables} in the URL; the proxy's init query ({@link #PROXY_INIT_QUERY}) holds the
 * session settings instead. docs/database.md lists the pinning conditions and how each is avoided.
 */
public final class Database {
    /**
     * OPTIMIZER_SETTINGS turns off the index-merge plans that merge row-id ordered scans (intersect,
     * union; sort_union sorts the row ids itself and stays): they assume every scan yields rows in
     * ascending primary-key order, which an index holding the key descending does not (the goods list
     * indexes, V205), and MariaDB before the fix of MDEV-36410 (2025; the embedded 11.4.5 has the bug)
     * then silently drops matching rows, e.g. a brand + topCategory list intersected idx_goods_brand
     * with idx_goods_category_l1_live and returned one goods of three. Every list shape has a
     * composite index of its own, so the plans lose nothing. Runs on MySQL 8 and MariaDB.
     */
    public static final String OPTIMIZER_SETTINGS =
            "optimizer_switch = 'index_merge_intersection=off,index_merge_union=off'";

    /** SESSION_SETTINGS runs once on every new connection of a direct pool. */
    public static final String SESSION_SETTINGS = "SET SESSION " + OPTIMIZER_SETTINGS;

    /**
     * PROXY_INIT_QUERY is the RDS Proxy target group's initialization query: every session setting
     * any pool asks for (the optimizer's, and the inventory repository's lock wait and isolation) and
     * UTC as the session time zone (direct, the JDBC URL's forceConnectionTimeZoneToSession may do
     * that), run by the proxy on each database connection it opens, so no client ever sends a SET. The
     * template outputs it as {@code DbProxyInitQuery}.
     */
    public static final String PROXY_INIT_QUERY = "SET SESSION " + OPTIMIZER_SETTINGS
            + ", SESSION innodb_lock_wait_timeout = 3, SESSION transaction_isolation = 'READ-COMMITTED'"
            + ", SESSION time_zone = '+00:00'";

    /** Connector/J options that would pin every session behind RDS Proxy, refused in that mode. */
    private static final List<String> PINNING_URL_OPTIONS = List.of("sessionvariables=", "useserverprepstmts=true",
            "forceconnectiontimezonetosession=true");

    private Database() {
    }

    /** pool returns a started Hikari pool; it connects lazily so a cold start does not wait on RDS. */
    public static HikariDataSource pool(DbConfig cfg, AwsConfig aws, String name) {
        return pool(cfg, aws, name, List.of());
    }

    /**
     * pool returns a started pool whose connections run {@code sessionSettings} (assignments such as
     * {@code innodb_lock_wait_timeout = 3}) after {@link #OPTIMIZER_SETTINGS}; behind RDS Proxy the
     * settings must be part of {@link #PROXY_INIT_QUERY} instead and are not sent.
     */
    public static HikariDataSource pool(DbConfig cfg, AwsConfig aws, String name, List<String> sessionSettings) {
        if (cfg.rdsProxy()) {
            for (String setting : sessionSettings) {
                if (!PROXY_INIT_QUERY.contains(setting)) {
                    throw new IllegalArgumentException("session setting '" + setting
                            + "' is not in Database.PROXY_INIT_QUERY, so behind RDS Proxy it would be lost");
                }
            }
            requireNoPinningOptions(cfg.jdbcUrl());
        }
        LoginDataSource login = new LoginDataSource(name, cfg.jdbcUrl(), driverOptions(cfg), login(cfg, aws),
                cfg.caBundle().map(TrustBundle::load));
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(name);
        hc.setDataSource(login);
        hc.setMaximumPoolSize(cfg.poolSize());
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(5_000);
        // A borrow may spend this on top of its wait (shop.platform.db.Bounded leaves it out of a
        // request's deadline); a ping slower than a second is a sick database anyway.
        hc.setValidationTimeout(1_000);
        hc.setMaxLifetime(280_000);
        hc.setKeepaliveTime(60_000);
        hc.setIdleTimeout(120_000);
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        if (!cfg.rdsProxy()) {
            List<String> all = new ArrayList<>();
            all.add("SESSION " + OPTIMIZER_SETTINGS);
            sessionSettings.forEach(s -> all.add("SESSION " + s));
            hc.setConnectionInitSql("SET " + String.join(", ", all));
        }
        HikariDataSource pool = new HikariDataSource(hc);
        // A rotation was noticed: retire the connections opened with the old credentials once.
        login.onNewCredentials(() -> {
            if (pool.getHikariPoolMXBean() != null) {
                pool.getHikariPoolMXBean().softEvictConnections();
            }
        });
        return pool;
    }

    /** driverOptions are Connector/J's options for the mode: nothing session-scoped behind a proxy. */
    static Properties driverOptions(DbConfig cfg) {
        Properties p = new Properties();
        p.setProperty("cachePrepStmts", "true");
        p.setProperty("prepStmtCacheSize", "250");
        p.setProperty("prepStmtCacheSqlLimit", "2048");
        // Server-side prepared statements live in one database session: RDS Proxy pins on the first one.
        p.setProperty("useServerPrepStmts", cfg.rdsProxy() ? "false" : "true");
        p.setProperty("rewriteBatchedStatements", "true");
        if (cfg.rdsProxy()) {
            // Results in the connection's own character set (utf8mb4 from the handshake): without it the
            // driver sends SET character_set_results = NULL on every new connection.
            p.setProperty("characterEncoding", "UTF-8");
            p.setProperty("characterSetResults", "UTF-8");
        }
        p.setProperty("useLocalSessionState", "true");
        p.setProperty("cacheServerConfiguration", "true");
        p.setProperty("elideSetAutoCommits", "true");
        p.setProperty("connectTimeout", "5000");
        p.setProperty("socketTimeout", "30000");
        return p;
    }

    /** requireNoPinningOptions refuses a JDBC URL with options that would pin every proxied session. */
    public static void requireNoPinningOptions(String jdbcUrl) {
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        for (String option : PINNING_URL_OPTIONS) {
            if (lower.contains(option)) {
                throw new IllegalArgumentException("DB_URL (or a repository's options) has '" + option
                        + "', which pins every session behind RDS Proxy (DB_RDS_PROXY=true): " + jdbcUrl);
            }
        }
    }

    private static DbLogin login(DbConfig cfg, AwsConfig aws) {
        if (cfg.secretArn().isEmpty()) {
            return DbLogin.fixed(cfg.user(), cfg.password());
        }
        // The client lives as long as the pool, like the pool's connections to the database.
        return DbLogin.fromSecret(new CachedSecret(AwsClients.secrets(aws), cfg.secretArn().get(),
                CachedSecret.MAX_AGE));
    }

    /**
     * snapshotSensitive is what a SnapStart snapshot must not carry of a pool built here: its
     * connections (closed, and waited for) and the credentials it read (forgotten).
     */
    public static SnapshotSensitive snapshotSensitive(DataSource ds) {
        return new SnapshotSensitive() {
            @Override
            public void beforeSnapshot() {
                if (!(ds instanceof HikariDataSource h)) {
                    return;
                }
                if (h.getHikariPoolMXBean() != null) {
                    h.getHikariPoolMXBean().softEvictConnections();
                    // Hikari closes evicted connections on a thread of its own: wait, or a socket may be frozen.
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (h.getHikariPoolMXBean().getTotalConnections() > 0 && System.nanoTime() < deadline) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                if (h.getDataSource() instanceof SnapshotSensitive s) {
                    s.beforeSnapshot();
                }
            }
        };
    }

    /** close closes a pool built here, if it is one. */
    public static void close(DataSource ds) {
        if (ds instanceof HikariDataSource h) {
            h.close();
        }
    }
}
