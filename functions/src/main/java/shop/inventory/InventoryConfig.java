package shop.inventory;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import shop.platform.config.ConfigException;
import shop.platform.config.Env;
import shop.platform.config.RedisConfig;

/**
 * InventoryConfig is how the inventory function locks, read once at start.
 *
 * @param lockMode     LOCK_MODE: {@code rowlock} (default: database row locks only) or {@code redlock} (row
 *                     locks, and the RedLock's slot gate in front of them for goods many want at once)
 * @param onQuorumLoss LOCK_ON_QUORUM_LOSS: {@code proceed} (default, row locks alone, logged and
 *                     counted) or {@code fail} (503) when the lock service fails a reservation: no home
 *                     node answers the quiet check of its goods, a goods' home node stops answering
 *                     before the wait ends, or a hot goods needs a new lease and fewer than a majority
 *                     of Redis nodes answer
 * @param onContention LOCK_ON_CONTENTION: {@code fail} (default: 503 goods-busy, retry shortly; nothing
 *                     written) or {@code proceed} (row locks alone) when a reservation got no slot of a
 *                     hot goods within REDLOCK_MAX_WAIT_MS
 * @param redisNodes   REDIS_NODES, comma-separated {@code host:port}; required for redlock
 * @param redisTls     REDIS_TLS
 * @param redLock      the RedLock's timings: REDLOCK_NODE_TIMEOUT_MS, REDLOCK_MAX_WAIT_MS
 * @param gate         REDLOCK_SLOTS: how many reservations of one hot goods may run at once (default
 *                     {@link RedLockOrderLock#SLOTS}); REDLOCK_HOT_AFTER: more reservations than this
 *                     within 100 ms make a goods hot (default {@link RedLockOrderLock#HOT_AFTER}, 0: always)
 */
public record InventoryConfig(LockMode lockMode, QuorumLoss onQuorumLoss, Contention onContention, List<String> redisNodes,
                              boolean redisTls, shop.lock.RedLockConfig redLock, shop.lock.SlotGate.Config gate) {

    /** LockMode picks the lock in front of the database. */
    public enum LockMode { REDLOCK, ROWLOCK }

    /** QuorumLoss is what a reservation does when the lock service has no majority. */
    public enum QuorumLoss { PROCEED, FAIL }

    /** Contention is what a reservation does when it waited its time for a slot of a hot goods. */
    public enum Contention { FAIL, PROCEED }

    /** InventoryConfig copies the node list. */
    public InventoryConfig {
        redisNodes = List.copyOf(redisNodes);
    }

    /** from reads and validates the variables. */
    public static InventoryConfig from(Env env) {
        LockMode mode = LockMode.valueOf(env.oneOf("LOCK_MODE", "rowlock", Set.of("redlock", "rowlock"))
                .toUpperCase(java.util.Locale.ROOT));
        QuorumLoss loss = QuorumLoss.valueOf(env.oneOf("LOCK_ON_QUORUM_LOSS", "proceed", Set.of("proceed", "fail"))
                .toUpperCase(java.util.Locale.ROOT));
        Contention contention = Contention.valueOf(env.oneOf("LOCK_ON_CONTENTION", "fail", Set.of("proceed", "fail"))
                .toUpperCase(java.util.Locale.ROOT));
        // In rowlock mode no Redis is needed; where nodes are given, the platform parses and checks them.
        Optional<RedisConfig> redis = mode == LockMode.REDLOCK || env.optional("REDIS_NODES").isPresent()
                ? Optional.of(RedisConfig.from(env)) : Optional.empty();
        List<String> nodes = redis.map(r -> r.nodes().stream().map(RedisConfig.Node::toString).toList())
                .orElse(List.of());
        // The per-node bound must suit the network: a node slower than it counts as down for that attempt.
        int nodeTimeout = env.integer("REDLOCK_NODE_TIMEOUT_MS", 100, 1, 2_000);
        int maxWait = env.integer("REDLOCK_MAX_WAIT_MS", 3_000, 0, 30_000);
        int slots = env.integer("REDLOCK_SLOTS", RedLockOrderLock.SLOTS, 1, 256);
        int hotAfter = env.integer("REDLOCK_HOT_AFTER", RedLockOrderLock.HOT_AFTER, 0, 10_000);
        shop.lock.RedLockConfig base = RedLockOrderLock.CONFIG;
        shop.lock.RedLockConfig redLock;
        try {
            redLock = new shop.lock.RedLockConfig(base.keyPrefix(), base.ttl(), java.time.Duration.ofMillis(maxWait),
                    java.time.Duration.ofMillis(nodeTimeout), base.retryJitter(), base.pollMin(), base.pollMax());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("REDLOCK_NODE_TIMEOUT_MS", "does not fit the lock's " + base.ttl().toMillis()
                    + " ms lease: " + e.getMessage());
        }
        return new InventoryConfig(mode, loss, contention, nodes, redis.map(RedisConfig::tls).orElse(true), redLock,
                shop.lock.SlotGate.Config.of(slots, hotAfter));
    }
}
