package shop.stack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Ports tells a taken port from other start failures, so that only those are tried again. */
class PortsTest {

    @Test
    void aTakenPort_isABindFailure_howeverDeepTheCause() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket second = new ServerSocket()) {
            BindException bind = null;
            try {
                second.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()));
            } catch (BindException e) {
                bind = e;
            }
            assertTrue(bind != null, "binding a taken port fails");
            RuntimeException wrapped = new IllegalStateException("Failed to start bean 'webServerStartStop'",
                    new RuntimeException("Connector failed", bind));
            assertTrue(Ports.isBindFailure(wrapped));
        }
    }

    @Test
    void otherFailures_areNot() {
        assertFalse(Ports.isBindFailure(new IllegalStateException("bad configuration", new IOException("disk full"))));
        assertFalse(Ports.isBindFailure(new IllegalStateException("no cause")));
    }
}
