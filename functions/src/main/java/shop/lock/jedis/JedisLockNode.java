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
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import shop.lock.GateNode;
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
 * script's cost on Redis 6.2, measured). As a {@link GateNode} it runs the gate's scripts on the
 * resources it is the home node of (their keys derive from the resource key: {@code :hot},
 * {@code :n}, {@code :slots}, {@code :parked}, {@code :queue}, {@code :in:<inbox>}); these nodes are
 * independent masters, never a cluster, so a hand-off script may name the inbox key it computes.
 * Failures become {@link LockNodeException}.
 */
public final class JedisLockNode implements PipelinedLockNode, GateNode, AutoCloseable {

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

    // The gate's scripts share these helpers. KEYS: hot mark, arrival count, slots (zset: slot ->
    // time it counts as lost), parked leases (zset: "slot|value" -> end of validity), queue (list of
    // "inbox|deadline"). Times are this node's milliseconds (TIME), so no client clock is compared.
    // keep lengthens a key's life to at least ms, never shortens it: every write of a score or entry
    // keeps its key until that score has passed, so a resource's keys all expire once it is left alone.
    private static final String GATE_HELPERS = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local function keep(key, ms)
              if ms > 0 and redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
            end
            local function grant(inbox, msg)
              local key = ARGV[9] .. inbox
              redis.call('RPUSH', key, msg)
              redis.call('PEXPIRE', key, ARGV[10])
            end
            -- Whether a parked lease may go out: the slots' entries that are not parked (holders, slots
            -- being acquired, slots kept for the arrivals that went on without one) are fewer than the
            -- slots. A parked lease's entry outlives it, so the difference never counts a parked one as out.
            local function room()
              return redis.call('ZCARD', KEYS[3]) - redis.call('ZCARD', KEYS[4]) < tonumber(ARGV[4])
            end
            local function freeSlot()
              local n = tonumber(ARGV[4])
              if redis.call('ZCARD', KEYS[3]) >= n then return nil end
              for k = 0, n - 1 do
                if not redis.call('ZSCORE', KEYS[3], tostring(k)) then return tostring(k) end
              end
              return nil
            end
            local function serve()
              redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
              redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now + tonumber(ARGV[5]))
              while true do
                local head = redis.call('LINDEX', KEYS[5], 0)
                if not head then return end
                local sep = string.find(head, '|', 1, true)
                if tonumber(string.sub(head, sep + 1)) > now then
                  local p = room() and redis.call('ZPOPMAX', KEYS[4]) or {}
                  if p[1] then
                    grant(string.sub(head, 1, sep - 1), 'L|' .. p[1] .. '|' .. (tonumber(p[2]) - now))
                  else
                    local k = freeSlot()
                    if not k then return end
                    redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), k)
                    keep(KEYS[3], tonumber(ARGV[6]))
                    grant(string.sub(head, 1, sep - 1), 'A|' .. k)
                  end
                end
                redis.call('LPOP', KEYS[5])
              end
            end
            """;

    // ARGV: hotAfter, windowMs, hotForMs, slots, minLeaseMs, acquireMs, inbox, waitMs, inbox prefix,
    // inbox ttl, mode, openHoldMs. An arrival renews the hot mark while arrivals exceed hotAfter per
    // window or a queue stands; a quiet resource answers O. A hot one: a parked lease (L) or a free slot
    // to acquire (A) while fewer than the slots are out, or a place in the queue (Q|wakeMs|entry), never
    // ahead of an earlier waiter. Mode
    // serve serves the queue and answers the next wakeMs.
    private static final Script ENTER = new Script(GATE_HELPERS + """
            -- The time until the earliest slot's entry ends (-1 for none, or when nobody queues): a slot
            -- held for no holder (for the quiet arrivals of a window, or for a lease this node does not
            -- know) comes free then with nobody to hand it on, so a waiter serves the queue itself then.
            local function wake()
              if redis.call('LLEN', KEYS[5]) == 0 then return -1 end
              local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
              if not first[2] then return -1 end
              return math.max(0, tonumber(first[2]) - now)
            end
            if ARGV[11] == 'serve' then
              serve()
              return wake()
            end
            local n = redis.call('INCR', KEYS[2])
            -- A count without an expiry (new, or one that a quiet check's INCR made again just after
            -- its window ended) gets this window's.
            if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
            local marked = redis.call('EXISTS', KEYS[1]) == 1
            if n > tonumber(ARGV[1]) or redis.call('LLEN', KEYS[5]) > 0 then
              if not marked then
                -- The resource turns hot now: the arrivals of this window before us that the quiet check
                -- let through (at most hotAfter) may be in the database without a slot. They hold slots of
                -- their own for a moment (ARGV[12] ms), so that with the slots' holders they stay within
                -- the slots. (An arrival counts twice when a quiet check sent it here: never fewer.)
                for i = 1, math.min(n - 1, tonumber(ARGV[1]), tonumber(ARGV[4])) do
                  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[12]), 'open' .. i)
                  keep(KEYS[3], tonumber(ARGV[12]))
                end
              end
              redis.call('SET', KEYS[1], '1', 'PX', ARGV[3])
            elseif not marked then
              return 'O'
            end
            serve()
            if redis.call('LLEN', KEYS[5]) == 0 then
              local p = room() and redis.call('ZPOPMAX', KEYS[4]) or {}
              if p[1] then return 'L|' .. p[1] .. '|' .. (tonumber(p[2]) - now) end
              local k = freeSlot()
              if k then
                redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), k)
                keep(KEYS[3], tonumber(ARGV[6]))
                return 'A|' .. k
              end
            end
            local entry = ARGV[7] .. '|' .. (now + tonumber(ARGV[8]))
            local place = redis.call('RPUSH', KEYS[5], entry)
            -- The queue lives as long as its longest entry: a later waiter with less time never shortens it.
            keep(KEYS[5], tonumber(ARGV[8]) + 1000)
            -- The mark outlives every queued entry, so that no arrival finds the resource quiet while
            -- waiters stand (the quiet check does not look at the queue).
            if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[8]) then
              redis.call('SET', KEYS[1], '1', 'PX', ARGV[8])
            end
            -- The first waiters (as many as there are slots: those a slot coming free could serve) are
            -- told when the earliest slot's entry ends; the rest are served by the hand-offs of those.
            return 'Q|' .. (place <= tonumber(ARGV[4]) and wake() or -1) .. '|' .. entry
            """);

    // KEYS: as ENTER, then the slot's lock key. ARGV: as ENTER (12), then slot, value, remainingMs,
    // graceMs, mode, fresh, extendBelowMs. hand: the lease goes to the oldest live waiter, else it is
    // parked; its end is kept from the slot's entry unless it was just acquired or extended (fresh), so
    // that hops do not shorten it, and a lease with less than extendBelowMs left is not handed on but
    // answered 2: extend it first. A lease whose lock key here holds another value, or none, ran out
    // while held and the slot may be another's: answered 3 (lost), and nothing changes. drop: the slot
    // goes to the oldest live waiter to acquire, else it is free. Either goes to a waiter only while fewer
    // than the slots are out without it. block: the slot stays taken for remainingMs.
    private static final Script HAND_OFF = new Script(GATE_HELPERS + """
            local slot = ARGV[13]
            local r = tonumber(ARGV[15])
            if ARGV[17] == 'block' then
              redis.call('ZADD', KEYS[3], now + r, slot)
              keep(KEYS[3], r)
              return 0
            end
            if ARGV[17] == 'hand' then
              if redis.call('GET', KEYS[6]) ~= ARGV[14] then return 3 end
              local known = redis.call('ZSCORE', KEYS[3], slot)
              if ARGV[18] ~= '1' and known then
                r = tonumber(known) - tonumber(ARGV[16]) - now
                if r < tonumber(ARGV[19]) then return 2 end
              end
              redis.call('ZADD', KEYS[3], now + r + tonumber(ARGV[16]), slot)
              keep(KEYS[3], r + tonumber(ARGV[16]))
            end
            -- The slot goes to a waiter only while the others out (holders, slots being acquired or kept
            -- for quiet arrivals) are fewer than the slots. More are out only after quiet arrivals went on
            -- beside a holder that outlived the hot mark: then this slot waits for them, parked or free.
            local others = redis.call('ZCARD', KEYS[3]) - redis.call('ZCARD', KEYS[4])
            if ARGV[17] == 'hand' or redis.call('ZSCORE', KEYS[3], slot) then others = others - 1 end
            while others < tonumber(ARGV[4]) do
              local head = redis.call('LPOP', KEYS[5])
              if not head then break end
              local sep = string.find(head, '|', 1, true)
              if tonumber(string.sub(head, sep + 1)) > now then
                if ARGV[17] == 'hand' then
                  grant(string.sub(head, 1, sep - 1), 'L|' .. slot .. '|' .. ARGV[14] .. '|' .. r)
                else
                  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), slot)
                  keep(KEYS[3], tonumber(ARGV[6]))
                  grant(string.sub(head, 1, sep - 1), 'A|' .. slot)
                end
                -- Capacity that came free without a hand-off (slots held for quiet arrivals, a lease
                -- that ran out) goes to the next waiters now, not at their next poll.
                serve()
                return 1
              end
            end
            if ARGV[17] == 'hand' then
              redis.call('ZADD', KEYS[4], now + r, slot .. '|' .. ARGV[14])
              keep(KEYS[4], r)
            else
              redis.call('ZREM', KEYS[3], slot)
            end
            serve()
            return 0
            """);

    // KEYS: queue, the caller's inbox. ARGV: its queue entry. Nil if the entry was still queued.
    private static final Script LEAVE = new Script("""
            if redis.call('LREM', KEYS[1], 1, ARGV[1]) > 0 then return false end
            return redis.call('LPOP', KEYS[2])
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
    /** Round trips asked of this node (scripts and waits), for measuring what an order costs. */
    private final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();
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
        return send(SET_ALL_IF_ABSENT, allKeys, args, r -> (Long) r == 1L);
    }

    @Override
    public Pending<Integer> sendDeleteAllIfValue(List<String> keys, String value, boolean wake) {
        var allKeys = new ArrayList<String>(keys.size() * 3);
        allKeys.addAll(keys);
        keys.forEach(key -> allKeys.add(key + WAKE_SUFFIX));
        keys.forEach(key -> allKeys.add(key + WAITERS_SUFFIX));
        var args = List.of(value, wake ? "1" : "0", Long.toString(options.wakeTokenTtl().toMillis()));
        return send(DELETE_ALL_IF_VALUE, allKeys, args, r -> Math.toIntExact((Long) r));
    }

    @Override
    public Pending<Boolean> sendExpireAllIfValue(List<String> keys, String value, Duration ttl) {
        return send(EXPIRE_ALL_IF_VALUE, keys, List.of(value, Long.toString(ttl.toMillis())), r -> (Long) r == 1L);
    }

    @Override
    public boolean awaitRelease(List<String> keys, Duration timeout) {
        // BLPOP takes seconds with decimals (Redis 6+); 0 would mean forever, so wait at least 1 ms.
        long nanos = Math.clamp(timeout.toNanos(), 1_000_000L, options.maxBlock().toNanos());
        String[] wakeKeys = keys.stream().map(key -> key + WAKE_SUFFIX).toArray(String[]::new);
        return call(() -> client.blpop(nanos / 1e9, wakeKeys)) != null;
    }

    @Override
    public Reply enter(String key, String inbox, long waitMillis, Settings settings, long deadlineNanos) {
        return gate(send(ENTER, gateKeys(key), gateArgs(key, settings, inbox, waitMillis, "enter"),
                r -> GateNode.parse((String) r)), deadlineNanos);
    }

    @Override
    public long serve(String key, Settings settings, long deadlineNanos) {
        return gate(send(ENTER, gateKeys(key), gateArgs(key, settings, "", 0, "serve"), r -> (Long) r), deadlineNanos);
    }

    @Override
    public HandOff handOff(String key, int slot, String value, long remainingMillis, boolean fresh, Settings settings,
                           long deadlineNanos) {
        long r = handOff(key, slot, value, remainingMillis, fresh, settings, "hand", deadlineNanos);
        return switch ((int) r) {
            case 1 -> HandOff.PASSED;
            case 2 -> HandOff.EXTEND_FIRST;
            case 3 -> HandOff.LOST;
            default -> HandOff.PARKED;
        };
    }

    @Override
    public boolean drop(String key, int slot, Settings settings, long deadlineNanos) {
        return handOff(key, slot, "", 0, false, settings, "drop", deadlineNanos) == 1;
    }

    @Override
    public void block(String key, int slot, long millis, long deadlineNanos) {
        handOff(key, slot, "", millis, false, new Settings(0, 1, 1, 1, 0, 0, 0, 0, 1, 0), "block", deadlineNanos);
    }

    private long handOff(String key, int slot, String value, long remainingMillis, boolean fresh, Settings settings,
                         String mode, long deadlineNanos) {
        var args = new ArrayList<>(gateArgs(key, settings, "", 0, "hand"));
        args.addAll(List.of(Integer.toString(slot), value, Long.toString(remainingMillis),
                Long.toString(settings.graceMillis()), mode, fresh ? "1" : "0", Long.toString(settings.extendBelowMillis())));
        var keys = new ArrayList<>(gateKeys(key));
        keys.add(key + "#" + slot);
        return gate(send(HAND_OFF, keys, args, r -> (Long) r), deadlineNanos);
    }

    @Override
    public Optional<Reply> leave(String key, String inbox, String entry, long deadlineNanos) {
        return gate(send(LEAVE, List.of(key + ":queue", key + ":in:" + inbox), List.of(entry),
                r -> Optional.ofNullable((String) r).map(GateNode::parse)), deadlineNanos);
    }

    @Override
    public Optional<Reply> await(String key, String inbox, Duration timeout) {
        long nanos = Math.clamp(timeout.toNanos(), 1_000_000L, options.maxBlock().toNanos());
        var popped = call(() -> client.blpop(nanos / 1e9, key + ":in:" + inbox));
        return Optional.ofNullable(popped).map(kv -> GateNode.parse(kv.getValue()));
    }

    @Override
    public List<Boolean> quiet(List<String> keys, Settings settings, long deadlineNanos) {
        var commands = new ArrayList<List<String>>(keys.size() * 4);
        String window = Long.toString(settings.windowMillis());
        for (String key : keys) {
            // The window's count starts at its first arrival and ends with it: SET NX sets the expiry
            // once, INCR keeps it. When the count expired between the two, INCR made it again without an
            // expiry: PTTL shows that, and the arrival goes to ENTER, which gives it one (never a
            // count that lives for ever and keeps the resource hot).
            commands.add(List.of("SET", key + ":n", "0", "PX", window, "NX"));
            commands.add(List.of("INCR", key + ":n"));
            commands.add(List.of("PTTL", key + ":n"));
            commands.add(List.of("EXISTS", key + ":hot"));
        }
        List<Object> replies = pipeline(commands, deadlineNanos);
        var out = new ArrayList<Boolean>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            long arrivals = (Long) replies.get(4 * i + 1);
            long pttl = (Long) replies.get(4 * i + 2);
            long marked = (Long) replies.get(4 * i + 3);
            out.add(arrivals <= settings.hotAfter() && pttl >= 0 && marked == 0);
        }
        return out;
    }

    /**
     * pipeline writes plain commands in one flush and reads their replies, within the bound of
     * {@link #gate}. A connection that missed its deadline is closed: replies may still be on their way.
     */
    private List<Object> pipeline(List<List<String>> commands, long deadlineNanos) {
        RespConnection c = borrow();
        calls.increment();
        long deadline = gateDeadline(deadlineNanos);
        try {
            c.sendAll(commands);
            var replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                Object reply = c.read(deadline);
                if (reply instanceof RespConnection.RespError err) {
                    throw new LockNodeException(name, "command failed: " + err.message(), null);
                }
                replies.add(reply);
            }
            giveBack(c);
            return replies;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e instanceof LockNodeException l ? l : new LockNodeException(name, String.valueOf(e.getMessage()), e);
        }
    }

    private static List<String> gateKeys(String key) {
        return List.of(key + ":hot", key + ":n", key + ":slots", key + ":parked", key + ":queue");
    }

    private static List<String> gateArgs(String key, Settings s, String inbox, long waitMillis, String mode) {
        return List.of(Integer.toString(s.hotAfter()), Long.toString(s.windowMillis()), Long.toString(s.hotForMillis()),
                Integer.toString(s.slots()), Long.toString(s.minLeaseMillis()), Long.toString(s.acquireMillis()),
                inbox, Long.toString(waitMillis), key + ":in:", Long.toString(s.inboxTtlMillis()), mode,
                Long.toString(s.openHoldMillis()));
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

    /** calls is how many round trips this node was asked for so far (script calls and waits). */
    public long calls() {
        return calls.sum();
    }

    private <T> T call(Supplier<T> command) {
        calls.increment();
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

    /**
     * gate waits for a gate call's reply until the caller's deadline, at most maxBlock: a home node's
     * answer is not bounded by a lease's validity as a RedLock round is, and counting a slow home node
     * as down would move its queue to another node, which costs far more than waiting for it, but
     * never past the caller's time. A caller with no time left still gets one socket timeout.
     */
    private <T> T gate(Pending<T> pending, long deadlineNanos) {
        return pending.await(gateDeadline(deadlineNanos));
    }

    private long gateDeadline(long deadlineNanos) {
        long now = System.nanoTime();
        long socket = options.socketTimeout().toNanos();
        long wait = Math.clamp(deadlineNanos - now, socket, Math.max(socket, options.maxBlock().toNanos()));
        return now + wait;
    }

    /** send writes one script call on an idle connection (or a new one) and returns its pending reply. */
    private <T> Pending<T> send(Script script, List<String> keys, List<String> args, Function<Object, T> result) {
        RespConnection c = borrow();
        calls.increment();
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
        private final Function<Object, T> result;
        private final CompletableFuture<T> late = new CompletableFuture<>();
        private boolean evalSent;

        Call(RespConnection connection, Script script, List<String> keys, List<String> args, Function<Object, T> result) {
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
                if (reply instanceof RespConnection.RespError err) {
                    if (err.message().startsWith("NOSCRIPT") && !evalSent) {
                        // A restarted or flushed node has an empty script cache; EVAL caches the script again.
                        evalSent = true;
                        connection.send(script.command(false, keys, args));
                        continue;
                    }
                    throw new LockNodeException(name, "script failed: " + err.message(), null);
                }
                try {
                    return result.apply(reply);
                } catch (ClassCastException e) {
                    throw new LockNodeException(name, "unexpected reply " + reply, e);
                }
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
