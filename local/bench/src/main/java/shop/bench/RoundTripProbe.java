package shop.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import shop.lock.GateNode;
import shop.lock.jedis.JedisLockNode;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;
import redis.embedded.RedisServer;

/**
 * RoundTripProbe measures what one Redis round trip costs in CPU on this host, whatever the command:
 * one embedded Redis server, one Jedis connection, one thread, pairs of calls (PING, the RedLock's
 * acquire and release scripts with and without the wake push, a plain SET NX PX), then what the slot
 * gate asks of a home node per order through {@link JedisLockNode}: a quiet goods' one call (three
 * plain commands in one round trip), and a hot goods' two scripts (enter, taking a parked lease, and
 * the hand-off back). It prints the CPU time of redis-server (from /proc) and of this JVM per pair or
 * per order, so the lock's cost per order can be compared with a whole reservation's.
 *
 * <p>Usage: {@code ./dev bench RoundTripProbe [pairs]}, default 40,000; the second of two rounds counts.
 */
public final class RoundTripProbe {
    private static final String ACQUIRE = "local n = #KEYS / 2 for i = 1, n do if redis.call('EXISTS', KEYS[i]) == 1 then"
            + " return 0 end end for i = 1, n do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end return 1";
    private static final String RELEASE = "local n = #KEYS / 3 local deleted = 0 for i = 1, n do"
            + " if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) deleted = deleted + 1"
            + " if ARGV[2] == '1' then redis.call('LPUSH', KEYS[n + i], '1') redis.call('LTRIM', KEYS[n + i], 0, 0)"
            + " redis.call('PEXPIRE', KEYS[n + i], ARGV[3]) end end end return deleted";

    private RoundTripProbe() {
    }

    /** gate measures the slot gate's calls per order: a quiet goods (the quiet check), a hot one (enter and hand-off). */
    private static void gate(int port, long pid, int orders) throws Exception {
        var options = new JedisLockNode.Options(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 8,
                Duration.ofSeconds(1));
        try (JedisLockNode node = JedisLockNode.connect("127.0.0.1", port, options)) {
            var hot = new GateNode.Settings(0, 10, 2_000, 16, 1_250, 5_200, 200, 2_500, 5_000, 100);
            // One lease parked for the hot goods, as a holder would leave it: its lock key holds its value
            // (the hand-off hands on only a lease the node still holds).
            node.setAllIfAbsent(List.of("probe:hot#0"), "v.1", Duration.ofMinutes(10), false);
            node.handOff("probe:hot", 0, "v.1", 600_000, true, hot, within());
            String[] names = {"gate, quiet goods: quiet check (one call per order)",
                "gate, hot goods: enter with a parked lease + hand-off (two calls per order)"};
            for (int round = 0; round < 2; round++) {
                for (int kind = 0; kind < names.length; kind++) {
                    long r0 = ProcCpu.totalNanos(pid);
                    long c0 = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < orders; i++) {
                        if (kind == 0) {
                            node.quiet(List.of("probe:quiet:" + (i % 1000)), hot, within());
                        } else {
                            var lease = (GateNode.Lease) node.enter("probe:hot", "in." + i, 3_000, hot, within());
                            node.handOff("probe:hot", lease.slot(), lease.value(), 600_000, false, hot, within());
                        }
                    }
                    double r = (ProcCpu.totalNanos(pid) - r0) / 1e3 / orders;
                    double c = (ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() - c0) / 1e3 / orders;
                    double w = (System.nanoTime() - t0) / 1e3 / orders;
                    if (round == 1) {
                        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", names[kind], r, c, w);
                    }
                }
            }
        }
    }

    /** within is the deadline of one gate call: a second from now. */
    private static long within() {
        return System.nanoTime() + Duration.ofSeconds(1).toNanos();
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 40_000;
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RedisServer server = RedisServer.newRedisServer().port(port).setting("bind 127.0.0.1").setting("save \"\"").build();
        server.start();
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            long pid = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().orElse("").contains("redis-server")).findFirst().orElseThrow().pid();
            String acquire = j.scriptLoad(ACQUIRE);
            String release = j.scriptLoad(RELEASE);
            String[] names = {"PING + PING", "SET NX PX + DEL", "acquire script + release script with wake push",
                "acquire script + release script, no wake push", "SET NX PX + release script, no wake push"};
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    System.out.println("| pair of calls (one connection) | redis-server CPU us | client CPU us | wall us |");
                    System.out.println("|---|---:|---:|---:|");
                }
                for (int kind = 0; kind < names.length; kind++) {
                    long r0 = ProcCpu.totalNanos(pid);
                    long c0 = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < pairs; i++) {
                        String k = "lock:goods:" + (i % 1000);
                        String v = "v" + i;
                        List<String> releaseKeys = List.of(k, k + ":wake", k + ":waiters");
                        switch (kind) {
                            case 0 -> {
                                j.ping();
                                j.ping();
                            }
                            case 1 -> {
                                j.set(k, v, SetParams.setParams().nx().px(5000));
                                j.del(k);
                            }
                            case 2, 3 -> {
                                j.evalsha(acquire, List.of(k, k + ":waiters"), List.of(v, "5000", "0", "1000"));
                                j.evalsha(release, releaseKeys, List.of(v, kind == 2 ? "1" : "0", "1000"));
                            }
                            default -> {
                                j.set(k, v, SetParams.setParams().nx().px(5000));
                                j.evalsha(release, releaseKeys, List.of(v, "0", "1000"));
                            }
                        }
                    }
                    double r = (ProcCpu.totalNanos(pid) - r0) / 1e3 / pairs;
                    double c = (ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() - c0) / 1e3 / pairs;
                    double w = (System.nanoTime() - t0) / 1e3 / pairs;
                    if (round == 1) {
                        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", names[kind], r, c, w);
                    }
                }
            }
            gate(port, pid, pairs);
        } finally {
            server.stop();
        }
    }
}
