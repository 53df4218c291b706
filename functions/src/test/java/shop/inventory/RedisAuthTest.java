package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.embedded.RedisServer;
import shop.platform.config.AwsConfig;
import shop.platform.config.Env;
import shop.platform.config.RedisConfig;
import shop.platform.redis.RedisAuth;
import shop.stack.MotoServer;
import shop.testing.MotoSecrets;

/**
 * The Redis AUTH token comes from a Secrets Manager secret (moto_server here) through the code path
 * of AWS, and reaches both kinds of Redis connection of the RedLock (Jedis' pooled client and the
 * lock's own script connections) and the health probe's clients. The node is a real Redis started
 * with {@code requirepass}; without the token, or with a wrong one, nothing is locked.
 */
class RedisAuthTest {
    private static final String TOKEN = "a-token-of-at-least-16-chars";
    private static MotoServer moto;
    private static RedisServer redis;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        redis = RedisServer.newRedisServer().port(port).setting("bind 127.0.0.1").setting("save \"\"")
                .setting("appendonly no").setting("requirepass " + TOKEN).build();
        redis.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.stop();
        }
        if (moto != null) {
            moto.close();
        }
    }

    private static RedisAuth authFromSecret(String secretValue) {
        String arn;
        try (var secrets = MotoSecrets.client(moto)) {
            arn = secrets.createSecret(r -> r.name("redis-auth-" + System.nanoTime()).secretString(secretValue)).arn();
        }
        Env env = Env.of(Map.of("REDIS_NODES", "127.0.0.1:" + port, "REDIS_TLS", "false", "REDIS_AUTH_SECRET_ARN", arn,
                "SECRETS_MANAGER_ENDPOINT", moto.endpoint().toString(), "AWS_REGION", "us-east-1"));
        RedisConfig config = RedisConfig.from(env);
        assertEquals(Optional.of(arn), config.authSecretArn());
        return RedisAuth.from(config, AwsConfig.from(env));
    }

    private static OrderLock.Outcome lockOnce(RedisAuth auth) {
        // Every reservation through the slot gate's scripts and the RedLock (hot-after 0), so AUTH is on every call.
        try (var lock = RedLockOrderLock.connect(List.of("127.0.0.1:" + port), false, auth, RedLockOrderLock.CONFIG,
                shop.lock.SlotGate.Config.of(1, 0))) {
            OrderLock.Outcome outcome = lock.acquire(List.of(System.nanoTime()));
            if (outcome instanceof OrderLock.Held held) {
                held.release().close();
            }
            return outcome;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void tokenFromTheSecret_locks() {
        assertInstanceOf(OrderLock.Held.class, lockOnce(authFromSecret(TOKEN)));
    }

    @Test
    void tokenAsRbacJson_locks() {
        assertInstanceOf(OrderLock.Held.class, lockOnce(authFromSecret("{\"password\":\"" + TOKEN + "\"}")));
    }

    @Test
    void withoutTheToken_orWithAWrongOne_nothingIsLocked() {
        assertInstanceOf(OrderLock.QuorumLost.class, lockOnce(RedisAuth.none()));
        assertInstanceOf(OrderLock.QuorumLost.class, lockOnce(authFromSecret("not-the-token")));
    }

    @Test
    void healthProbeClients_authenticateToo() {
        RedisAuth auth = authFromSecret(TOKEN);
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), auth.clientConfig(false).build())) {
            assertEquals("PONG", jedis.ping());
        }
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), RedisAuth.none().clientConfig(false).build())) {
            assertThrows(JedisException.class, jedis::ping);
        }
    }
}
