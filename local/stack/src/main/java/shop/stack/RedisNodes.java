package shop.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.RedisServer;

/**
 * RedisNodes runs N independent Redis masters (embedded-redis' bundled Redis 6.2), each on its own
 * loopback port, without persistence. Fault tests stop and restart single nodes on the same port.
 */
public final class RedisNodes implements AutoCloseable {
    private final List<Integer> ports;
    private final RedisServer[] servers;
    private final String bind;

    private RedisNodes(List<Integer> ports, String bind) {
        this.ports = List.copyOf(ports);
        this.servers = new RedisServer[ports.size()];
        this.bind = bind;
    }

    static RedisNodes startAll(int count) {
        return startAll(count, List.of(), StackPorts.LOOPBACK);
    }

    /** startAll starts count nodes on these ports (empty: free ones), listening on {@code bind}. */
    static RedisNodes startAll(int count, List<Integer> fixed, String bind) {
        List<Integer> ports = new ArrayList<>(fixed);
        while (ports.size() < count) {
            ports.add(Ports.free());
        }
        RedisNodes nodes = new RedisNodes(ports, bind);
        for (int i = 0; i < count; i++) {
            nodes.start(i);
        }
        return nodes;
    }

    /** addresses returns every node as {@code 127.0.0.1:port}, in node order. */
    public List<String> addresses() {
        return ports.stream().map(p -> "127.0.0.1:" + p).toList();
    }

    /** start (re)starts node i on its port, empty. */
    public synchronized void start(int i) {
        if (servers[i] != null) {
            return;
        }
        int port = ports.get(i);
        for (int attempt = 1; ; attempt++) {
            try {
                RedisServer server = RedisServer.newRedisServer()
                        .port(port)
                        .setting("bind " + bind)
                        // Beyond the loopback, a node without a password refuses clients unless told not to.
                        .setting("protected-mode " + (StackPorts.LOOPBACK.equals(bind) ? "yes" : "no"))
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .setting("maxclients 2000")
                        .build();
                server.start();
                servers[i] = server;
                break;
            } catch (IOException e) {
                // embedded-redis writes the binary to a temp file, then runs it. A process that another
                // thread forks at that moment (the stack starts MariaDB, S3 and DynamoDB alongside)
                // inherits the file's write descriptor until it execs, and the run fails with ETXTBSY
                // ("Text file busy", error 26). The descriptor is gone a moment later: try again.
                if (attempt >= 5 || !String.valueOf(e.getMessage()).contains("Text file busy")) {
                    throw new UncheckedIOException("Redis node " + i + " did not start on 127.0.0.1:" + port, e);
                }
                try {
                    Thread.sleep(50L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException("interrupted starting Redis node " + i, e);
                }
            }
        }
        Ports.awaitListening("Redis node " + i, port, Duration.ofSeconds(10));
    }

    /** stop stops node i; its clients then see connection errors, as with a failed ElastiCache node. */
    public synchronized void stop(int i) {
        RedisServer server = servers[i];
        servers[i] = null;
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException("Redis node " + i + " did not stop", e);
            }
        }
    }

    /** isRunning tells whether node i is started. */
    public synchronized boolean isRunning(int i) {
        return servers[i] != null;
    }

    /** size is the number of nodes. */
    public int size() {
        return ports.size();
    }

    @Override
    public void close() {
        for (int i = 0; i < servers.length; i++) {
            try {
                stop(i);
            } catch (RuntimeException e) {
                // Keep stopping the others.
            }
        }
    }
}
