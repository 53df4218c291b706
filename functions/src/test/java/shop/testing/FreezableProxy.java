package shop.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * FreezableProxy is a TCP proxy on 127.0.0.1 in front of a server, which a test can freeze: from
 * then on no byte goes either way and new connections are accepted but never answered, as when a
 * database host stops (a crashed instance, a network partition, a failover in progress) without
 * closing its connections. Thawed, it forwards again, held bytes first. The shipped code knows
 * nothing of it: the test points DB_URL at {@link #port()}.
 */
public final class FreezableProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean frozen;
    private volatile boolean closed;

    /** FreezableProxy starts forwarding a free local port to {@code targetHost:targetPort}. */
    public FreezableProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        threads.submit(this::acceptLoop);
    }

    /** forJdbcUrl is a proxy in front of the host and port of a {@code jdbc:mysql://host:port/...} URL. */
    public static FreezableProxy forJdbcUrl(String jdbcUrl) throws IOException {
        java.net.URI uri = java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
        return new FreezableProxy(uri.getHost(), uri.getPort());
    }

    /** jdbcUrl is the given URL pointed at this proxy instead. */
    public String jdbcUrl(String jdbcUrl) {
        java.net.URI uri = java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
        return jdbcUrl.replace(uri.getHost() + ":" + uri.getPort(), "127.0.0.1:" + port());
    }

    /** port is where clients connect. */
    public int port() {
        return server.getLocalPort();
    }

    /** freeze stops every byte, both ways, on open and new connections. */
    public void freeze() {
        frozen = true;
    }

    /** thaw forwards again. */
    public void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                threads.submit(() -> connect(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connect(Socket client) {
        try {
            awaitThaw();
            Socket upstream = new Socket(targetHost, targetPort);
            sockets.add(upstream);
            threads.submit(() -> pump(client, upstream));
            pump(upstream, client);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitThaw();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // A side closed: close the other.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitThaw() throws InterruptedException {
        synchronized (gate) {
            while (frozen && !closed) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thaw();
        server.close();
        sockets.forEach(FreezableProxy::closeQuietly);
        threads.shutdownNow();
    }
}
