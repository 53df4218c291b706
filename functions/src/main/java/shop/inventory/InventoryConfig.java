package shop.inventory;

import java.util.List;
import java.util.Set;
import shop.platform.config.ConfigException;
import shop.platform.config.Env;

/**
 * InventoryConfig is how the inventory function locks, read once at start.
 *
 * @param lockMode     LOCK_MODE: {@code redlock} (default) or {@code rowlock} (database row locks only)
 * @param onQuorumLoss LOCK_ON_QUORUM_LOSS: {@code proceed} (default, row locks alone, logged and
 *                     counted) or {@code fail} (503) when fewer than a majority of Redis nodes answer
 * @param redisNodes   REDIS_NODES, comma-separated {@code host:port}; required for redlock
 * @param redisTls     REDIS_TLS
 */
public record InventoryConfig(LockMode lockMode, QuorumLoss onQuorumLoss, List<String> redisNodes, boolean redisTls) {

    /** LockMode picks the lock in front of the database. */
    public enum LockMode { REDLOCK, ROWLOCK }

    /** QuorumLoss is what a reservation does when the lock service has no majority. */
    public enum QuorumLoss { PROCEED, FAIL }

    /** InventoryConfig copies the node list. */
    public InventoryConfig {
        redisNodes = List.copyOf(redisNodes);
    }

    /** from reads and validates the variables. */
    public static InventoryConfig from(Env env) {
        LockMode mode = LockMode.valueOf(env.oneOf("LOCK_MODE", "redlock", Set.of("redlock", "rowlock"))
                .toUpperCase(java.util.Locale.ROOT));
        QuorumLoss loss = QuorumLoss.valueOf(env.oneOf("LOCK_ON_QUORUM_LOSS", "proceed", Set.of("proceed", "fail"))
                .toUpperCase(java.util.Locale.ROOT));
        List<String> nodes = env.optional("REDIS_NODES").map(v -> List.of(v.split(","))).orElse(List.of())
                .stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String node : nodes) {
            int colon = node.lastIndexOf(':');
            if (colon <= 0 || !node.substring(colon + 1).chars().allMatch(Character::isDigit) || colon == node.length() - 1) {
                throw new ConfigException("REDIS_NODES", "must list host:port entries, not '" + node + "'");
            }
        }
        if (mode == LockMode.REDLOCK && nodes.isEmpty()) {
            throw new ConfigException("REDIS_NODES", "is required when LOCK_MODE is redlock");
        }
        return new InventoryConfig(mode, loss, nodes, env.bool("REDIS_TLS", false));
    }
}
