package shop.lock.jedis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import shop.lock.RedLockConfig;

/**
 * FiveRedisNodes is what the RedLock and slot-gate tests share: five real Redis servers for the
 * class, emptied before each test, the clients a test opened closed after it, and the per-node
 * timeouts a shared, often overloaded machine needs.
 */
abstract class FiveRedisNodes {
    static final Duration TTL = Duration.ofSeconds(5);
    // Generous per-node timeouts: the test machine is shared and often overloaded (load 10+ on 2 cores).
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    static final JedisLockNode.Options OPTIONS = new JedisLockNode.Options(NODE_TIMEOUT, NODE_TIMEOUT,
            Duration.ofSeconds(30), 8, Duration.ofSeconds(1));

    static RedisNodes redis;
    final List<AutoCloseable> opened = Collections.synchronizedList(new ArrayList<>());

    /** config is the tests' RedLock configuration, under a key prefix of their own. */
    static RedLockConfig config(String keyPrefix) {
        return new RedLockConfig(keyPrefix, TTL, Duration.ofSeconds(10), NODE_TIMEOUT, Duration.ofMillis(5),
                Duration.ofMillis(300), Duration.ofSeconds(1));
    }

    @BeforeAll
    static void startRedis() {
        redis = new RedisNodes(5);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void resetRedis() {
        redis.reset();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (var c : opened) {
            c.close();
        }
    }

    /** await polls {@code condition} until it holds, and fails the test once {@code limit} has passed. */
    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(2);
        }
    }
}
