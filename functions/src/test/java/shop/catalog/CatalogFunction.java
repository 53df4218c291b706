package shop.catalog;

import java.time.Clock;
import javax.sql.DataSource;

/**
 * CatalogFunction builds the catalog function over a pool a test built itself, for tests of other
 * packages that need to reach into the pool (retire its connections, ask it for one): wired as
 * {@code new CatalogApiHandler(env)} wires it, over {@code Database.pool} of the same environment.
 */
public final class CatalogFunction {
    private CatalogFunction() {
    }

    /** over returns the catalog function over {@code pool}, without a SnapStart priming. */
    public static CatalogApiHandler over(DataSource pool) {
        CatalogApiHandler.Wiring w = CatalogApiHandler.Wiring.of(pool, Clock.systemUTC());
        return new CatalogApiHandler(w.catalog(), w.goods(), w.idempotency());
    }
}
