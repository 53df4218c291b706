package shop.lock.jedis;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import shop.lock.LockNode;
import shop.lock.LockNodeException;
import shop.lock.PipelinedLockNode;

/**
 * JedisLockNode is the {@link LockNode} of one Redis master. Each operation is one Lua script
 * (EVALSHA, falling back to EVAL on NOSCRIPT), sent over a {@link RespConnection} taken from a small
 * idle stack, so that {@link shop.lock.RedLock} can write to every node before reading any reply
 * ({@link PipelinedLockNode}). A failed SET may count its caller as a waiter ({@code <key>:waiters},
 * expiring); a release of a key with waiters pushes a token onto a per-key list ({@code <key>:wake},
 * one token at most, expiring) that waiters BLPOP over a pooled Jedis client, so exactly one waiter
 * per node wakes per release, and a release nobody waits for pushes nothing (a third of the release
 * script's cost on Redis 6.2, measured). Failures become {@link LockNodeException}.
 */
public final class JedisLockNode implements PipelinedLockNode, AutoCloseable {

    private static final String WAKE_SUFFIX = ":wake";
    private static final String WAITERS_SUFFIX = ":waiters";

    // KEYS: the lock keys, then their waiter counts in the same order. ARGV: value, ttl, register
    // flag, count ttl. A failed call may count its caller as a waiter of the first held key.
    private static final Script SET_ALL_IF_ABSENT = new Script("""
            local n = #KEYS / 2
            for i = 1, n do
              if redis.call('EXISTS', KEYS[i]) == 1 then
                if ARGV[3] == '1' then
                  redis.call('INCR', KEYS[n + i])
                  redis.call('PEXPIRE', KEYS[n + i], ARGV[4])
                end
                return 0
              end
            end
            for i = 1, n do
              redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
            end
            return 1
            """);

    // KEYS: the lock keys, their wake lists, their waiter counts, each in the same order. ARGV:
    // value, wake flag, token ttl. A deleted key signals one registered waiter, none if nobody waits.
    private static final Script DELETE_ALL_IF_VALUE = new Script("""
            local n = #KEYS / 3
            local deleted = 0
            for i = 1, n do
              if redis.call('GET', KEYS[i]) == ARGV[1] then
                redis.call('DEL', KEYS[i])
                deleted = deleted + 1
                if ARGV[2] == '1' and tonumber(redis.call('GET', KEYS[2 * n + i]) or '0') > 0 then
                  redis.call('DECR', KEYS[2 * n + i])
                  redis.call('LPUSH', KEYS[n + i], '1')
                  redis.call('LTRIM', KEYS[n + i], 0, 0)
                  redis.call('PEXPIRE', KEYS[n + i], ARGV[3])
                end
              end
            end
            return deleted
            """);

    private static final Script EXPIRE_ALL_IF_VALUE = new Script("""
            for i = 1, #KEYS do
              if redis.call('GET', KEYS[i]) ~= ARGV[1] then return 0 end
            end
            for i = 1, #KEYS do
              redis.call('PEXPIRE', KEYS[i], ARGV[2])
            end
            return 1
            """);

    /**
     * Options are the client settings of one node.
     *
     * @param connectTimeout bound on opening a connection and on waiting for a pooled one
     * @param socketTimeout  bound on one command; keep it at or below the RedLock per-node timeout
     * @param maxBlock       longest single wait for a release signal (BLPOP), longer waits are cut
     * @param maxConnections pool size; concurrent acquires of one RedLock each use one connection
     * @param wakeTokenTtl   how long a release signal waits for a waiter that has not blocked yet, and
     *                       how long a count of waiters lasts when no new waiter comes
     */
    public record Options(Duration connectTimeout, Duration socketTimeout, Duration maxBlock, int maxConnections,
                          Duration wakeTokenTtl) {

        /** Options rejects non-positive durations and pool sizes. */
        public Options {
            for (var d : List.of(connectTimeout, socketTimeout, maxBlock, wakeTokenTtl)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("JedisLockNode options must be positive durations: " + d);
                }
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1, was " + maxConnections);
            }
        }

        /** defaults: 100 ms connect, 50 ms per command, waits up to 1 s, 8 connections, 1 s tokens. */
        public static Options defaults() {
            return new Options(Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofSeconds(1), 8,
                    Duration.ofSeconds(1));
        }
    }

    private final UnifiedJedis client;
    private final String host;
    private final int port;
    private final boolean tls;
    /** AUTH credentials of each new script connection, or null for none. */
    private final Supplier<RedisCredentials> credentials;
    private final String name;
    private final Options options;
    /** Connections for the scripts, most recently used first; at most maxConnections are kept. */
    private final ConcurrentLinkedDeque<RespConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    /**
     * JedisLockNode runs the scripts over its own connections to host:port (TLS when asked) and waits
     * for releases on a client the caller built; closing the node closes both.
     */
    public JedisLockNode(UnifiedJedis client, String host, int port, boolean tls, Options options) {
        this(client, host, port, tls, null, options);
    }

    /**
     * JedisLockNode as above, sending AUTH with {@code credentials} (asked again for each new
     * connection, so a rotated token is picked up) when they are not null; build {@code client} with
     * the same credentials.
     */
    public JedisLockNode(UnifiedJedis client, String host, int port, boolean tls, Supplier<RedisCredentials> credentials,
                         Options options) {
        this.client = Objects.requireNonNull(client, "client");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.tls = tls;
        this.credentials = credentials;
        this.name = host + ":" + port;
        this.options = Objects.requireNonNull(options, "options");
    }

    /** connect builds a pooled client for host:port; no connection is opened until first use. */
    public static JedisLockNode connect(String host, int port, Options options) {
        var clientConfig = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(options.connectTimeout()))
                .socketTimeoutMillis(millis(options.socketTimeout()))
                .blockingSocketTimeoutMillis(millis(options.maxBlock().plus(options.socketTimeout())))
                .build();
        var pool = new ConnectionPoolConfig();
        pool.setMaxTotal(options.maxConnections());
        pool.setMaxIdle(options.maxConnections());
        pool.setMaxWait(options.connectTimeout());
        // JMX registration costs start-up time and leaks names across the many pools of a test run.
        pool.setJmxEnabled(false);
        RedisClient client = RedisClient.builder()
                .hostAndPort(host, port)
                .clientConfig(clientConfig)
                .poolConfig(pool)
                .build();
        return new JedisLockNode(client, host, port, false, options);
    }

    /** connectAll connects to every {@code host:port} of a comma-separated list, e.g. REDLOCK_NODES. */
    public static List<JedisLockNode> connectAll(String addresses, Options options) {
        Objects.requireNonNull(addresses, "addresses");
        var nodes = new ArrayList<JedisLockNode>();
        for (String address : addresses.split(",")) {
            String a = address.strip();
            int colon = a.lastIndexOf(':');
            if (colon <= 0 || colon == a.length() - 1) {
                throw new IllegalArgumentException("lock node address must be host:port, was '" + a + "' in '" + addresses + "'");
            }
            int port;
            try {
                port = Integer.parseInt(a.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("lock node port must be a number, was '" + a + "'", e);
            }
            nodes.add(connect(a.substring(0, colon), port, options));
        }
        return List.copyOf(nodes);
    }

    @Override
    public boolean setAllIfAbsent(List<String> keys, String value, Duration ttl, boolean registerWaiter) {
        return now(sendSetAllIfAbsent(keys, value, ttl, registerWaiter));
    }

    @Override
    public int deleteAllIfValue(List<String> keys, String value, boolean wake) {
        return now(sendDeleteAllIfValue(keys, value, wake));
    }

    @Override
    public boolean expireAllIfValue(List<String> keys, String value, Duration ttl) {
        return now(sendExpireAllIfValue(keys, value, ttl));
    }

    @Override
    public Pending<Boolean> sendSetAllIfAbsent(List<String> keys, String value, Duration ttl, boolean registerWaiter) {
        var allKeys = new ArrayList<String>(keys.size() * 2);
        allKeys.addAll(keys);
        keys.forEach(key -> allKeys.add(key + WAITERS_SUFFIX));
        var args = List.of(value, Long.toString(ttl.toMillis()), registerWaiter ? "1" : "0",
                Long.toString(options.wakeTokenTtl().toMillis()));
        return send(SET_ALL_IF_ABSENT, allKeys, args, n -> n == 1L);
    }

    @Override
    public Pending<Integer> sendDeleteAllIfValue(List<String> keys, String value, boolean wake) {
        var allKeys = new ArrayList<String>(keys.size() * 3);
        allKeys.addAll(keys);
        keys.forEach(key -> allKeys.add(key + WAKE_SUFFIX));
        keys.forEach(key -> allKeys.add(key + WAITERS_SUFFIX));
        var args = List.of(value, wake ? "1" : "0", Long.toString(options.wakeTokenTtl().toMillis()));
        return send(DELETE_ALL_IF_VALUE, allKeys, args, Math::toIntExact);
    }

    @Override
    public Pending<Boolean> sendExpireAllIfValue(List<String> keys, String value, Duration ttl) {
        return send(EXPIRE_ALL_IF_VALUE, keys, List.of(value, Long.toString(ttl.toMillis())), n -> n == 1L);
    }

    @Override
    public boolean awaitRelease(List<String> keys, Duration timeout) {
        // BLPOP takes seconds with decimals (Redis 6+); 0 would mean forever, so wait at least 1 ms.
        long nanos = Math.clamp(timeout.toNanos(), 1_000_000L, options.maxBlock().toNanos());
        String[] wakeKeys = keys.stream().map(key -> key + WAKE_SUFFIX).toArray(String[]::new);
        return call(() -> client.blpop(nanos / 1e9, wakeKeys)) != null;
    }

    @Override
    public String name() {
        return name;
    }

    /** close closes the client, its pool and the script connections. */
    @Override
    public void close() {
        closed = true;
        drainIdle();
        client.close();
    }

    @Override
    public String toString() {
        return "JedisLockNode[" + name + "]";
    }

    private <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            throw new LockNodeException(name, e.getMessage(), e);
        }
    }

    /** now waits for a call's reply for one socket timeout. */
    private <T> T now(Pending<T> pending) {
        return pending.await(System.nanoTime() + options.socketTimeout().toNanos());
    }

    /** send writes one script call on an idle connection (or a new one) and returns its pending reply. */
    private <T> Pending<T> send(Script script, List<String> keys, List<String> args, LongFunction<T> result) {
        RespConnection c = borrow();
        try {
            c.send(script.command(true, keys, args));
        } catch (IOException e) {
            c.close();
            drainIdle(); // a node that dropped one connection most likely dropped the idle ones too
            throw new LockNodeException(name, "send failed: " + e.getMessage(), e);
        }
        return new Call<>(c, script, keys, args, result);
    }

    private RespConnection borrow() {
        if (closed) {
            throw new LockNodeException(name, "closed", null);
        }
        RespConnection c = idle.pollFirst();
        if (c != null) {
            idleCount.decrementAndGet();
            return c;
        }
        try {
            return RespConnection.open(host, port, tls, credentials == null ? null : credentials.get(),
                    options.connectTimeout());
        } catch (IOException e) {
            throw new LockNodeException(name, "connect failed: " + e.getMessage(), e);
        }
    }

    private void giveBack(RespConnection c) {
        if (closed || idleCount.incrementAndGet() > options.maxConnections()) {
            idleCount.decrementAndGet();
            c.close();
            return;
        }
        idle.offerFirst(c);
        if (closed) {
            drainIdle();
        }
    }

    private void drainIdle() {
        for (RespConnection c; (c = idle.pollFirst()) != null; ) {
            idleCount.decrementAndGet();
            c.close();
        }
    }

    /** Call is one script call in flight on its own connection. */
    private final class Call<T> implements Pending<T> {
        private final RespConnection connection;
        private final Script script;
        private final List<String> keys;
        private final List<String> args;
        private final LongFunction<T> result;
        private final CompletableFuture<T> late = new CompletableFuture<>();
        private boolean evalSent;

        Call(RespConnection connection, Script script, List<String> keys, List<String> args, LongFunction<T> result) {
            this.connection = connection;
            this.script = script;
            this.keys = keys;
            this.args = args;
            this.result = result;
        }

        @Override
        public T await(long deadlineNanos) {
            try {
                T value = readReply(deadlineNanos);
                giveBack(connection);
                late.complete(value);
                return value;
            } catch (SocketTimeoutException e) {
                readLate();
                throw new LockNodeException(name, "no reply in time", e);
            } catch (IOException | RuntimeException e) {
                connection.close();
                late.completeExceptionally(e);
                throw e instanceof LockNodeException l ? l : new LockNodeException(name, String.valueOf(e.getMessage()), e);
            }
        }

        @Override
        public CompletableFuture<T> late() {
            return late;
        }

        private T readReply(long deadlineNanos) throws IOException {
            while (true) {
                Object reply = connection.read(deadlineNanos);
                if (reply instanceof Long n) {
                    return result.apply(n);
                }
                if (reply instanceof RespConnection.RespError err && err.message().startsWith("NOSCRIPT") && !evalSent) {
                    // A restarted or flushed node has an empty script cache; EVAL caches the script again.
                    evalSent = true;
                    connection.send(script.command(false, keys, args));
                    continue;
                }
                throw new LockNodeException(name, "unexpected reply " + reply, null);
            }
        }

        /** Keeps reading a reply that missed its deadline, so the caller can clean up what landed late. */
        private void readLate() {
            Thread.ofVirtual().start(() -> {
                try {
                    late.complete(readReply(System.nanoTime() + options.maxBlock().toNanos()));
                } catch (IOException | RuntimeException e) {
                    late.completeExceptionally(e);
                } finally {
                    connection.close();
                }
            });
        }
    }

    private static int millis(Duration d) {
        return Math.toIntExact(d.toMillis());
    }

    /** A Lua script run by its SHA-1, loaded on the fly when the node does not know it yet. */
    private record Script(String source, String sha1) {

        Script(String source) {
            this(source, sha1Of(source));
        }

        List<String> command(boolean bySha, List<String> keys, List<String> args) {
            var out = new ArrayList<String>(3 + keys.size() + args.size());
            out.add(bySha ? "EVALSHA" : "EVAL");
            out.add(bySha ? sha1 : source);
            out.add(Integer.toString(keys.size()));
            out.addAll(keys);
            out.addAll(args);
            return out;
        }

        private static String sha1Of(String source) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is required of every JDK", e);
            }
        }
    }
}
