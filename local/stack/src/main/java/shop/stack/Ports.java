package shop.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;

/** Ports finds free loopback ports and waits for servers to listen on them. */
final class Ports {
    private Ports() {
    }

    /** free returns a TCP port on 127.0.0.1 that nothing listens on right now. */
    static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /** isBindFailure tells whether a server start failed because its port was taken (a BindException in the causes). */
    static boolean isBindFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    /** listening tells whether something accepts connections on 127.0.0.1:port. */
    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** awaitListening polls until 127.0.0.1:port accepts connections, or fails after the timeout. */
    static void awaitListening(String what, int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!listening(port)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + " did not listen on 127.0.0.1:" + port + " within " + timeout);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
