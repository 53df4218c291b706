package shop.inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;
import shop.lock.LockResult;
import shop.lock.RedLock;
import shop.lock.RedLockConfig;
import shop.lock.SlotGate;
import shop.lock.SlotGateMetrics;
import shop.lock.jedis.JedisLockNode;
import shop.platform.deadline.Deadline;
import shop.platform.redis.RedisAuth;
import shop.platform.snapstart.SnapshotSensitive;

/**
 * RedLockOrderLock is LOCK_MODE=redlock: the goods of an order go through a {@link SlotGate} over
 * the Redis nodes of REDIS_NODES. A goods that is quiet goes straight to the database after one
 * call to its home node; a hot one (more than REDLOCK_HOT_AFTER reservations within 100 ms, or a queue)
 * admits at most REDLOCK_SLOTS reservations at once, each holding one of its slots' RedLock leases,
 * and queues the rest in Redis, first come first served. A lease shorter than the transaction would
 * only cost efficiency, never stock: the database row locks still decide.
 */
public final class RedLockOrderLock implements OrderLock, SnapshotSensitive {

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
     * SLOTS is the default of REDLOCK_SLOTS: how many reservations of one hot goods may run in the
     * database at once; the rest wait in Redis. 16 keeps the hot row busy (InnoDB hands its row lock
     * on cheaply) while bounding the transactions that wait on it (docs/benchmarks.md).
     */
    public static final int SLOTS = 16;

    /**
     * HOT_AFTER is the default of REDLOCK_HOT_AFTER: a goods is hot once more than this many
     * reservations arrive within 100 ms (160 a second), or while a queue stands. Below that rate a
     * goods' reservations, each a few milliseconds in the database, seldom overlap at all, so a
     * catalogue's ordinary goods stay on one round trip; above it the slots bound them.
     */
    public static final int HOT_AFTER = 16;

    private final RedLock lock;
    private final SlotGate gate;
    private final List<JedisLockNode> nodes;
    private final Duration maxWait;
    private volatile boolean warm;

    /** RedLockOrderLock locks over nodes it owns (closed with it). */
    RedLockOrderLock(List<JedisLockNode> nodes, RedLockConfig config, SlotGate.Config gate) {
        this.nodes = List.copyOf(nodes);
        this.lock = new RedLock(List.copyOf(nodes), config);
        this.gate = new SlotGate(lock, this.nodes, gate);
        this.maxWait = config.maxWait();
    }

    /** connect builds the lock's clients for {@code host:port} nodes, TLS when asked; nothing connects yet. */
    public static RedLockOrderLock connect(List<String> addresses, boolean tls, RedLockConfig config) {
        return connect(addresses, tls, config, SlotGate.Config.of(SLOTS, HOT_AFTER));
    }

    /** connect with the given slots and hot threshold per goods (slots 1 and hotAfter 0 make it a plain mutex per goods). */
    public static RedLockOrderLock connect(List<String> addresses, boolean tls, RedLockConfig config, SlotGate.Config gate) {
        return connect(addresses, tls, RedisAuth.none(), config, gate);
    }

    /**
     * connect with AUTH from {@code auth} on every connection (Jedis' and the scripts' own); with
     * {@code tls} each node's certificate must match its host name.
     */
    public static RedLockOrderLock connect(List<String> addresses, boolean tls, RedisAuth auth, RedLockConfig config,
                                           SlotGate.Config gate) {
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
        return new RedLockOrderLock(nodes, config, gate);
    }

    @Override
    public java.util.Optional<shop.lock.RedLockMetrics.Snapshot> metrics() {
        return java.util.Optional.of(lock.metrics().snapshot());
    }

    /** gateMetrics are the gate's counters: quiet and hot reservations, queueing, hand-offs. */
    @Override
    public java.util.Optional<SlotGateMetrics.Snapshot> gateMetrics() {
        return java.util.Optional.of(gate.metrics().snapshot());
    }

    /** calls is how many round trips this lock asked of its Redis nodes so far. */
    public long calls() {
        return nodes.stream().mapToLong(JedisLockNode::calls).sum();
    }

    /** lock is the underlying RedLock, for its metrics. */
    public RedLock lock() {
        return lock;
    }

    /**
     * resource is a goods' name in the gate: its decimal id, so its lock keys read
     * {@code lock:goods:<id>...} and its home node is {@code SlotGate.homeOf(resource(id), nodes)}.
     */
    public static String resource(long goodsId) {
        return Long.toString(goodsId);
    }

    @Override
    public Outcome acquire(List<Long> goodsIds) {
        return acquire(goodsIds, maxWait);
    }

    /** acquire waits the configured maxWait, or less when the request has less time left. */
    @Override
    public Outcome acquire(List<Long> goodsIds, Duration maxWait) {
        Duration wait = maxWait.compareTo(this.maxWait) < 0 ? maxWait : this.maxWait;
        List<String> resources = goodsIds.stream().map(RedLockOrderLock::resource).toList();
        SlotGate.Admission admission = gate.enter(resources, wait);
        if (!warm && admission instanceof SlotGate.Refused r && r.reason() == LockResult.Reason.QUORUM_UNREACHABLE
                && r.waited().compareTo(wait) < 0) {
            // The first call of an instance also opens its connections, which can outlast the per-node
            // bound when many instances start at once; that is a cold start, not a lost quorum. The
            // second try gets what is left of the wait, never a wait of its own.
            admission = gate.enter(resources, wait.minus(r.waited()));
        }
        if (!(admission instanceof SlotGate.Refused)) {
            warm = true;
        }
        return switch (admission) {
            case SlotGate.Open o -> new Open();
            // The hand-off ends with the request's time (Deadline.NONE outside a request: each call's own bound).
            case SlotGate.Admitted a -> new Held(() -> a.pass().close(Deadline.current().remaining()));
            case SlotGate.Refused r -> switch (r.reason()) {
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
     * never share lock values (nor the gate's inbox names, drawn from the same prefix). Its Redis
     * connections need nothing: the priming takes no lock, so the snapshot holds none, and the gate
     * remembers no goods as hot.
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
