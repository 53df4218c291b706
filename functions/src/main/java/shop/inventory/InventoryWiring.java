package shop.inventory;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.config.RedisConfig;
import shop.platform.redis.RedisAuth;
import shop.platform.snapstart.SnapshotSensitive;
import shop.platform.db.Database;

/**
 * InventoryWiring builds the expensive parts of the inventory functions once per execution
 * environment, from its environment variables: the database pool (with the options the repository's
 * batches need) and the order lock of LOCK_MODE.
 */
final class InventoryWiring {
    private InventoryWiring() {
    }

    /**
     * Wired is a service with what must be closed after it (the pool, the lock's clients) and what a
     * SnapStart snapshot must not carry as it is (the lock's value prefix, the Redis AUTH token).
     */
    record Wired(InventoryService service, AutoCloseable resources, javax.sql.DataSource pool,
                 List<SnapshotSensitive> snapshotState) {
    }

    /** api wires the API function: repository, lock and policy. */
    static Wired api(Env env) {
        InventoryConfig config = InventoryConfig.from(env);
        HikariDataSource pool = pool(env, "inventory");
        OrderLock lock;
        List<SnapshotSensitive> snapshotState = new ArrayList<>();
        try {
            lock = switch (config.lockMode()) {
                case ROWLOCK -> new NoOpOrderLock();
                case REDLOCK -> {
                    RedisAuth auth = RedisAuth.from(RedisConfig.from(env), AwsConfig.from(env));
                    RedLockOrderLock redLock = RedLockOrderLock.connect(config.redisNodes(), config.redisTls(), auth,
                            config.redLock(), config.gate());
                    snapshotState.add(auth);
                    snapshotState.add(redLock);
                    yield redLock;
                }
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
        }, pool, List.copyOf(snapshotState));
    }

    /** sweeper wires the sweeper function: repository only, it takes no order lock. */
    static Wired sweeper(Env env) {
        HikariDataSource pool = pool(env, "inventory-sweeper");
        InventoryService service = new InventoryService(new JdbcInventoryRepository(pool), new NoOpOrderLock(),
                InventoryConfig.QuorumLoss.PROCEED);
        return new Wired(service, pool, pool, List.of());
    }

    /** reconciler wires the reconciliation check: repository only. */
    static Wired reconciler(Env env) {
        HikariDataSource pool = pool(env, "inventory-reconciliation");
        InventoryService service = new InventoryService(new JdbcInventoryRepository(pool), new NoOpOrderLock(),
                InventoryConfig.QuorumLoss.PROCEED);
        return new Wired(service, pool, pool, List.of());
    }

    static HikariDataSource pool(Env env, String name) {
        DbConfig db = DbConfig.from(env);
        return Database.pool(db.withJdbcUrl(JdbcInventoryRepository.jdbcUrl(db.jdbcUrl())), AwsConfig.from(env), name,
                JdbcInventoryRepository.SESSION_SETTINGS);
    }
}
