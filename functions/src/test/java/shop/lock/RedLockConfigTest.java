package shop.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedLockConfigTest {

    private static RedLockConfig config(long ttlMs, long nodeTimeoutMs, long pollMinMs, long pollMaxMs) {
        return new RedLockConfig("lock:", Duration.ofMillis(ttlMs), Duration.ZERO, Duration.ofMillis(nodeTimeoutMs),
                Duration.ofMillis(5), Duration.ofMillis(pollMinMs), Duration.ofMillis(pollMaxMs));
    }

    private static String rejection(Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    @Test
    void config_rejectsNonPositiveTtl() {
        assertTrue(rejection(() -> config(0, 50, 10, 20)).startsWith("ttl must be > 0"));
    }

    @Test
    void config_rejectsPerNodeTimeout_thatLeavesNoValidity() {
        String msg = rejection(() -> config(100, 98, 10, 20));
        assertTrue(msg.contains("perNodeTimeout (98 ms)"), msg);
        config(100, 94, 10, 20);
    }

    @Test
    void config_rejectsPollMinAbovePollMax() {
        assertTrue(rejection(() -> config(1000, 50, 30, 20)).contains("pollMin (30 ms)"));
    }

    @Test
    void redLock_rejectsEmptyNodeList() {
        assertThrows(IllegalArgumentException.class, () -> new RedLock(List.of(), RedLockConfig.defaults()));
    }
}
