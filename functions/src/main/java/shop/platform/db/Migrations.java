package shop.platform.db;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Migrations applies the versioned schema in {@code db/migration} (Flyway). It runs when the local
 * stack starts and, deployed, once per deploy through the DatabaseSchema custom resource; never per
 * request. The SQL runs on MySQL 8 and MariaDB 10.6+.
 *
 * <p>Each capability numbers its migrations in its own range (catalog V2xx, inventory V3xx, media
 * V4xx), so a database that already has V301 may later receive a new V203: out-of-order migrations
 * are applied, in version order among the pending ones, instead of refused. Migrations of different
 * capabilities must therefore never depend on each other's order.
 */
public final class Migrations {
    private Migrations() {
    }

    /** migrate applies pending migrations and returns how many ran (0 when up to date). */
    public static int migrate(DataSource ds) {
        MigrateResult result = flyway(ds).migrate();
        return result.migrationsExecuted;
    }

    /**
     * currentVersion returns the version of the latest migration applied ("302"), or "none" on an
     * empty schema. Out-of-order migrations do not lower it.
     */
    public static String currentVersion(DataSource ds) {
        MigrationInfo current = flyway(ds).info().current();
        return current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion();
    }

    private static Flyway flyway(DataSource ds) {
        return Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration")
                .validateMigrationNaming(true)
                .outOfOrder(true)
                .failOnMissingLocations(true)
                .load();
    }
}
