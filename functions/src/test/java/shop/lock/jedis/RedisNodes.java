package shop.lock.jedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/** RedisNodes runs n embedded Redis servers on free ports of 127.0.0.1, without persistence. */
final class RedisNodes implements AutoCloseable {

    private final int[] ports;
    private final RedisServer[] servers;
    private final RedisClient[] admins;

    RedisNodes(int n) {
        ports = new int[n];
        servers = new RedisServer[n];
        admins = new RedisClient[n];
        for (int i = 0; i < n; i++) {
            ports[i] = freePort();
            start(i);
        }
    }

    int size() {
        return ports.length;
    }

    int port(int i) {
        return ports[i];
    }

    /** addresses are the nodes as {@code host:port,...}, the format of REDLOCK_NODES. */
    String addresses() {
        var list = new ArrayList<String>();
        for (int port : ports) {
            list.add("127.0.0.1:" + port);
        }
        return String.join(",", list);
    }

    /** admin is a plain client of node i for inspecting keys. */
    RedisClient admin(int i) {
        return admins[i];
    }

    /** start (re)starts node i on its port, empty: there is no RDB or AOF to load. */
    void start(int i) {
        if (admins[i] != null) {
            // Its pooled connections died with the old process.
            admins[i].close();
        }
        try {
            servers[i] = RedisServer.newRedisServer()
                    .port(ports[i])
                    .setting("bind 127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            servers[i].start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis on port " + ports[i], e);
        }
        admins[i] = RedisClient.create("127.0.0.1", ports[i]);
    }

    void stop(int i) {
        try {
            servers[i].stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isRunning(int i) {
        return servers[i].isActive();
    }

    /** reset starts stopped nodes again and empties all of them. */
    void reset() {
        for (int i = 0; i < ports.length; i++) {
            if (!isRunning(i)) {
                start(i);
            }
            admins[i].flushAll();
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < ports.length; i++) {
            admins[i].close();
            if (servers[i] != null && servers[i].isActive()) {
                stop(i);
            }
        }
    }

    static int freePort() {
        try (var socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
