package shop.inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;
import shop.lock.LockResult;
import shop.lock.RedLock;
import shop.lock.RedLockConfig;
import shop.lock.jedis.JedisLockNode;
import shop.platform.redis.RedisAuth;
import shop.platform.snapstart.SnapshotSafeRandom;
import shop.platform.snapstart.SnapshotSensitive;

/**
 * RedLockOrderLock is LOCK_MODE=redlock: the goods of an order are locked together on the Redis
 * nodes of REDIS_NODES through {@link RedLock}, one key per goods. A lease shorter than the
 * transaction would only cost efficiency, never stock: the database row locks still decide.
 */
public final class RedLockOrderLock implements OrderLock, SnapshotSensitive {
    private static final Logger LOG = LoggerFactory.getLogger(RedLockOrderLock.class);

    /**
     * CONFIG: 5 s leases (a reservation takes milliseconds), up to 3 s of waiting, 100 ms per node (a
     * node slower than that counts as down; 50 ms proved too tight on a loaded two-core host).
     */
    public static final RedLockConfig CONFIG = new RedLockConfig("lock:goods:", Duration.ofSeconds(5), Duration.ofSeconds(3),
            Duration.ofMillis(100), Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(200));
    /** OPTIONS: client timeouts to match CONFIG's per-node bound. */
    static final JedisLockNode.Options OPTIONS = new JedisLockNode.Options(Duration.ofMillis(200), Duration.ofMillis(100),
            Duration.ofSeconds(1), 8, Duration.ofSeconds(1));

    /**
     * SLOTS is the default of REDLOCK_SLOTS: each goods has this many lock keys and a reservation
     * takes one at random, so up to SLOTS reservations of one goods run their statements at once and
     * the rest wait in Redis. One key would serialise a hot goods on the lock's own hand-off (a Redis
     * round trip to five nodes per holder), far slower than the row lock's hand-off inside InnoDB;
     * slots keep the row lock busy while still bounding how many connections queue on it. Measured on
     * the hot goods (docs/benchmarks.md): 16 slots gave 1.8x the orders of 4 at 16 workers and 1.2x
     * at 64, since every wait in Redis costs a refused attempt and a wake-up, while InnoDB queues 16
     * waiters on one row cheaply.
     */
    public static final int SLOTS = 16;

    private final RedLock lock;
    private final RedLockConfig config;
    private final List<JedisLockNode> nodes;
    private final int slots;
    private volatile boolean warm;

    /** RedLockOrderLock locks over nodes it owns (closed with it). */
    RedLockOrderLock(List<JedisLockNode> nodes, RedLockConfig config, int slots) {
        this.nodes = List.copyOf(nodes);
        this.lock = new RedLock(List.copyOf(nodes), config);
        this.config = config;
        this.slots = slots;
    }

    /** connect builds the lock's clients for {@code host:port} nodes, TLS when asked; nothing connects yet. */
    public static RedLockOrderLock connect(List<String> addresses, boolean tls, RedLockConfig config) {
        return connect(addresses, tls, config, SLOTS);
    }

    /** connect with a given number of lock slots per goods (1 makes it a plain mutex per goods). */
    public static RedLockOrderLock connect(List<String> addresses, boolean tls, RedLockConfig config, int slots) {
        return connect(addresses, tls, RedisAuth.none(), config, slots);
    }

    /**
     * connect with AUTH from {@code auth} on every connection (Jedis' and the scripts' own); with
     * {@code tls} each node's certificate must match its host name.
     */
    public static RedLockOrderLock connect(List<String> addresses, boolean tls, RedisAuth auth, RedLockConfig config,
                                           int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        }
        JedisLockNode.Options options = OPTIONS;
        List<JedisLockNode> nodes = new ArrayList<>();
        for (String address : addresses) {
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon);
            int port = Integer.parseInt(address.substring(colon + 1));
            var clientConfig = auth.clientConfig(tls)
                    .connectionTimeoutMillis((int) options.connectTimeout().toMillis())
                    .socketTimeoutMillis((int) options.socketTimeout().toMillis())
                    .blockingSocketTimeoutMillis((int) options.maxBlock().plus(options.socketTimeout()).toMillis())
                    .build();
            var pool = new ConnectionPoolConfig();
            pool.setMaxTotal(options.maxConnections());
            pool.setMaxIdle(options.maxConnections());
            pool.setMaxWait(options.connectTimeout());
            pool.setJmxEnabled(false);
            RedisClient client = RedisClient.builder().hostAndPort(host, port).clientConfig(clientConfig)
                    .poolConfig(pool).build();
            nodes.add(new JedisLockNode(client, host, port, tls, auth.enabled() ? auth : null, options));
        }
        return new RedLockOrderLock(nodes, config, slots);
    }

    @Override
    public java.util.Optional<shop.lock.RedLockMetrics.Snapshot> metrics() {
        return java.util.Optional.of(lock.metrics().snapshot());
    }

    /** lock is the underlying RedLock, for its metrics. */
    public RedLock lock() {
        return lock;
    }

    @Override
    public Outcome acquire(List<Long> goodsIds) {
        return acquire(goodsIds, config.maxWait());
    }

    /** acquire waits the configured maxWait, or less when the request has less time left. */
    @Override
    public Outcome acquire(List<Long> goodsIds, Duration maxWait) {
        Duration wait = maxWait.compareTo(config.maxWait()) < 0 ? maxWait : config.maxWait();
        List<String> resources = goodsIds.stream()
                .map(id -> slots == 1 ? String.valueOf(id) : id + "#" + SnapshotSafeRandom.current().nextInt(slots)).toList();
        LockResult result = lock.acquire(resources, config.ttl(), wait);
        if (!warm && result instanceof LockResult.NotAcquired n && n.reason() == LockResult.Reason.QUORUM_UNREACHABLE) {
            // The first call of an instance also opens its connections, which can outlast the 50 ms per-node
            // bound when many instances start at once; that is a cold start, not a lost quorum.
            result = lock.acquire(resources, config.ttl(), wait);
        }
        if (result instanceof LockResult.Acquired) {
            warm = true;
        }
        return switch (result) {
            case LockResult.Acquired a -> new Held(() -> {
                if (!a.lease().release()) {
                    // Expired or taken over while we held it: harmless for stock, worth knowing about.
                    LOG.info("order lock {} was no longer ours at release", a.lease().resources());
                }
            });
            case LockResult.NotAcquired n -> switch (n.reason()) {
                case QUORUM_UNREACHABLE -> new QuorumLost();
                case CONTENDED -> new Contended();
                case INTERRUPTED -> {
                    Thread.currentThread().interrupt();
                    yield new Contended();
                }
            };
        };
    }

    /**
     * After a SnapStart restore: a new lock value prefix, so environments restored from one snapshot
     * never share lock values. Its Redis connections need nothing: the priming takes no lock, so the
     * snapshot holds none.
     */
    @Override
    public void afterRestore() {
        lock.renewValuePrefix();
    }

    @Override
    public void close() {
        lock.close();
        nodes.forEach(JedisLockNode::close);
    }
}
