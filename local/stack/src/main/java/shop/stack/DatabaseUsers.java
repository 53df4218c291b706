package shop.stack;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * DatabaseUsers are the two database users every deployment has, created locally the way
 * docs/database.md tells an operator to create them on RDS (as the master user):
 * <ul>
 *   <li>the migration user, used only by MigrateFunction: DDL, TRIGGER and routines on the schema,
 *       plus DML, because the triggers and procedures it creates run with its rights (their
 *       DEFINER), whoever fires them;</li>
 *   <li>the application user, used by every other function: DML and EXECUTE only, so a function can
 *       neither change the schema nor create a trigger.</li>
 * </ul>
 * Local passwords are fixed and not secret (the servers listen on loopback only).
 */
public final class DatabaseUsers {
    /** MIGRATION_USER is the local migration user. */
    public static final String MIGRATION_USER = "shop_migrate";
    /** MIGRATION_PASSWORD is its local password. */
    public static final String MIGRATION_PASSWORD = "shop-migrate-local";
    /** APP_USER is the local application user. */
    public static final String APP_USER = "shop_app";
    /** APP_PASSWORD is its local password. */
    public static final String APP_PASSWORD = "shop-app-local";

    /** MIGRATION_PRIVILEGES on the schema: what Flyway and the migrations need, nothing global. */
    public static final String MIGRATION_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, "
            + "REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER, CREATE ROUTINE, ALTER ROUTINE, EXECUTE, LOCK TABLES";
    /** APP_PRIVILEGES on the schema: rows and procedure calls, no DDL, no TRIGGER. */
    public static final String APP_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE, EXECUTE";

    private DatabaseUsers() {
    }

    /** create creates (or resets) both users on {@code database}, over a connection of an administrator. */
    static void create(Connection admin, String database) throws SQLException {
        createUser(admin, database, MIGRATION_USER, MIGRATION_PASSWORD, MIGRATION_PRIVILEGES);
        createUser(admin, database, APP_USER, APP_PASSWORD, APP_PRIVILEGES);
    }

    /**
     * createAppUser creates another user with exactly the application user's rights (a test that
     * changes a password, or watches one user's statements, gets a user of its own).
     */
    public static void createAppUser(Connection admin, String database, String user, String password)
            throws SQLException {
        createUser(admin, database, user, password, APP_PRIVILEGES);
    }

    private static void createUser(Connection admin, String database, String user, String password,
                                   String privileges) throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
            s.execute("ALTER USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
            s.execute("GRANT " + privileges + " ON `" + database + "`.* TO '" + user + "'@'%'");
        }
    }
}
