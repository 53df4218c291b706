package shop.inventory;

import com.zaxxer.hikari.HikariDataSource;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;

/**
 * InventoryWiring builds the expensive parts of the inventory functions once per execution
 * environment, from its environment variables: the database pool (with the options the repository's
 * batches need) and the order lock of LOCK_MODE.
 */
final class InventoryWiring {
    private InventoryWiring() {
    }

    /** Wired is a service with what must be closed after it (the pool, the lock's clients). */
    record Wired(InventoryService service, AutoCloseable resources, javax.sql.DataSource pool) {
    }

    /** api wires the API function: repository, lock and policy. */
    static Wired api(Env env) {
        InventoryConfig config = InventoryConfig.from(env);
        HikariDataSource pool = pool(env, "inventory");
        OrderLock lock;
        try {
            lock = switch (config.lockMode()) {
                case ROWLOCK -> new NoOpOrderLock();
                case REDLOCK -> RedLockOrderLock.connect(config.redisNodes(), config.redisTls(), config.redLock(),
                        config.gate());
            };
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        InventoryService service = new InventoryService(new JdbcInventoryRepository(pool), lock, config.onQuorumLoss(),
                config.onContention());
        return new Wired(service, () -> {
            try (pool; lock) {
                // Closes both, the lock first.
            }
        }, pool);
    }

    /** sweeper wires the sweeper function: repository only, it takes no order lock. */
    static Wired sweeper(Env env) {
        HikariDataSource pool = pool(env, "inventory-sweeper");
        InventoryService service = new InventoryService(new JdbcInventoryRepository(pool), new NoOpOrderLock(),
                InventoryConfig.QuorumLoss.PROCEED);
        return new Wired(service, pool, pool);
    }

    static HikariDataSource pool(Env env, String name) {
        DbConfig db = DbConfig.from(env);
        DbConfig adjusted = new DbConfig(JdbcInventoryRepository.jdbcUrl(db.jdbcUrl()), db.secretArn(), db.user(),
                db.password(), db.poolSize());
        return Database.pool(adjusted, AwsConfig.from(env), name);
    }
}
