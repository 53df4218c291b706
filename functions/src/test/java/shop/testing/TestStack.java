package shop.testing;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.DatabaseUsers;
import shop.stack.LocalStack;
import shop.stack.StackEndpoints;

/**
 * TestStack is what integration tests share: the JVM's {@link LocalStack} with the schema migrated
 * once (as the migration user, like MigrateFunction), two pools on it, and the environment a function
 * would see locally. Functions and {@link #dataSource()} connect as the application user (DML and
 * EXECUTE only), so a missing grant fails a test; what no function may do (TRUNCATE, DDL, test-only
 * triggers, KILL of another user's session, server settings) goes through {@link #admin()}.
 */
public final class TestStack {
    private static TestStack instance;

    private final LocalStack stack;
    private final HikariDataSource dataSource;
    private final HikariDataSource admin;

    private TestStack(LocalStack stack, HikariDataSource dataSource, HikariDataSource admin) {
        this.stack = stack;
        this.dataSource = dataSource;
        this.admin = admin;
    }

    /** get starts the stack and migrates the schema on first use. */
    public static synchronized TestStack get() {
        if (instance == null) {
            LocalStack stack = LocalStack.shared();
            Env env = Env.of(baseEnvironment(stack));
            StackEndpoints e = stack.endpoints();
            AwsConfig aws = AwsConfig.from(env);
            try (HikariDataSource migrator = Database.pool(new DbConfig(e.jdbcUrl(), Optional.empty(),
                    e.migration().user(), e.migration().password(), 2), aws, "tests-migrate")) {
                Migrations.migrate(migrator);
            }
            HikariDataSource app = Database.pool(new DbConfig(e.jdbcUrl(), Optional.empty(), e.dbUser(), e.dbPassword(),
                    16), aws, "tests");
            HikariDataSource admin = Database.pool(new DbConfig(e.jdbcUrl(), Optional.empty(), e.admin().user(),
                    e.admin().password(), 4), aws, "tests-admin");
            instance = new TestStack(stack, app, admin);
        }
        return instance;
    }

    /** baseEnvironment is every variable a local function may need, pointed at the stack. */
    public static Map<String, String> baseEnvironment(LocalStack stack) {
        Map<String, String> env = new HashMap<>(stack.endpoints().toEnvironment());
        env.put("DB_POOL_SIZE", "4");
        env.put("IMAGES_BUCKET", stack.resources().name("ImagesBucket"));
        env.put("UPLOAD_TICKETS_TABLE", stack.resources().name("UploadTicketsTable"));
        env.put("IDEMPOTENCY_TABLE", stack.resources().name("IdempotencyTable"));
        env.put("REDIS_TLS", "false");
        return env;
    }

    /** stack returns the servers. */
    public LocalStack stack() {
        return stack;
    }

    /** dataSource returns a pool on the migrated shop database as the application user (16 connections). */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * admin returns a pool as an administrator (4 connections), for test set-up that no function may
     * do: TRUNCATE, DDL, test-only triggers, KILL, SET GLOBAL, creating users.
     */
    public DataSource admin() {
        return admin;
    }

    /** createAppUser creates (or resets) a user with exactly the application user's grants. */
    public void createAppUser(String user, String password) {
        try (Connection c = admin.getConnection()) {
            DatabaseUsers.createAppUser(c, c.getCatalog(), user, password);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create user " + user, e);
        }
    }

    /** env returns a function environment on the stack, with extra variables on top. */
    public Env env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(baseEnvironment(stack));
        env.putAll(extra);
        return Env.of(env);
    }

    /**
     * truncate empties tables (foreign keys off for the statement), for test isolation. A TRUNCATE right
     * after a bulk write can meet a lock wait (1205) from InnoDB's own background work on the table
     * (seen once after a 10,000-row insert); it is tried again a few times before failing.
     */
    public void truncate(String... tables) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET FOREIGN_KEY_CHECKS = 0");
                for (String table : tables) {
                    s.execute("TRUNCATE TABLE " + table);
                }
                s.execute("SET FOREIGN_KEY_CHECKS = 1");
                return;
            } catch (SQLException e) {
                if (e.getErrorCode() != 1205 || attempt == 5) {
                    throw new IllegalStateException("cannot truncate " + String.join(", ", tables), e);
                }
            }
            try {
                Thread.sleep(200L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while truncating", e);
            }
        }
    }
}
