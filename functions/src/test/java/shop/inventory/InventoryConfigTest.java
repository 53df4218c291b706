package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.platform.config.ConfigException;
import shop.platform.config.Env;

/** The inventory's variables are read once, with defaults, and a wrong one is named. */
class InventoryConfigTest {
    private static Env env(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of("REDIS_NODES", "127.0.0.1:6379,127.0.0.1:6380,127.0.0.1:6381"));
        m.putAll(extra);
        return Env.of(m);
    }

    @Test
    void defaults_rowlock_andForRedlockTlsAndTheLocksOwnTimings() {
        assertEquals(InventoryConfig.LockMode.ROWLOCK, InventoryConfig.from(env(Map.of())).lockMode());
        assertEquals(InventoryConfig.LockMode.ROWLOCK, InventoryConfig.from(Env.of(Map.of())).lockMode(),
                "rowlock needs no Redis");
        InventoryConfig cfg = InventoryConfig.from(env(Map.of("LOCK_MODE", "redlock")));
        assertEquals(InventoryConfig.LockMode.REDLOCK, cfg.lockMode());
        assertEquals(InventoryConfig.QuorumLoss.PROCEED, cfg.onQuorumLoss());
        assertEquals(InventoryConfig.Contention.FAIL, cfg.onContention());
        assertTrue(cfg.redisTls());
        assertEquals(Duration.ofMillis(100), cfg.redLock().perNodeTimeout());
        assertEquals(Duration.ofSeconds(3), cfg.redLock().maxWait());
        assertEquals(RedLockOrderLock.CONFIG.ttl(), cfg.redLock().ttl());
        assertEquals(16, cfg.gate().slots());
        assertEquals(16, cfg.gate().hotAfter());
    }

    @Test
    void redlockTimings_comeFromTheEnvironment() {
        InventoryConfig cfg = InventoryConfig.from(env(Map.of("REDLOCK_NODE_TIMEOUT_MS", "25", "REDLOCK_MAX_WAIT_MS", "500",
                "REDLOCK_SLOTS", "1", "REDLOCK_HOT_AFTER", "0")));
        assertEquals(Duration.ofMillis(25), cfg.redLock().perNodeTimeout());
        assertEquals(Duration.ofMillis(500), cfg.redLock().maxWait());
        assertEquals(1, cfg.gate().slots());
        assertEquals(0, cfg.gate().hotAfter());
    }

    @Test
    void wrongValues_nameTheirVariable() {
        assertTrue(assertThrows(ConfigException.class, () -> InventoryConfig.from(env(Map.of("REDLOCK_NODE_TIMEOUT_MS", "fast"))))
                .getMessage().contains("REDLOCK_NODE_TIMEOUT_MS"));
        assertTrue(assertThrows(ConfigException.class, () -> InventoryConfig.from(env(Map.of("REDLOCK_MAX_WAIT_MS", "-1"))))
                .getMessage().contains("REDLOCK_MAX_WAIT_MS"));
        assertTrue(assertThrows(ConfigException.class, () -> InventoryConfig.from(env(Map.of("REDLOCK_SLOTS", "0"))))
                .getMessage().contains("REDLOCK_SLOTS"));
        assertTrue(assertThrows(ConfigException.class, () -> InventoryConfig.from(env(Map.of("REDLOCK_HOT_AFTER", "-1"))))
                .getMessage().contains("REDLOCK_HOT_AFTER"));
        assertTrue(assertThrows(ConfigException.class, () -> InventoryConfig.from(env(Map.of("LOCK_ON_CONTENTION", "wait"))))
                .getMessage().contains("LOCK_ON_CONTENTION"));
        assertTrue(assertThrows(ConfigException.class, () -> InventoryConfig.from(env(Map.of("LOCK_MODE", "mutex"))))
                .getMessage().contains("LOCK_MODE"));
        assertTrue(assertThrows(ConfigException.class,
                () -> InventoryConfig.from(Env.of(Map.of("LOCK_MODE", "redlock")))).getMessage().contains("REDIS_NODES"));
    }
}
