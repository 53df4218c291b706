package shop.stack;

import com.adobe.testing.s3mock.S3MockApplication;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * S3Server runs Adobe S3Mock in this JVM, over plain HTTP on a free loopback port. S3Mock answers
 * CORS preflights for browser uploads; it does not check presigned signatures and sends no
 * notifications (the local runner detects new objects itself).
 */
final class S3Server implements AutoCloseable {
    private final S3MockApplication app;
    private final int port;
    /** Held here: java.util.logging keeps only weak references to configured loggers. */
    private static final java.util.List<java.util.logging.Logger> TOMCAT_LOGGERS = java.util.stream.Stream.of(
            "org.apache.catalina", "org.apache.coyote", "org.apache.tomcat").map(java.util.logging.Logger::getLogger).toList();

    private S3Server(S3MockApplication app, int port) {
        this.app = app;
        this.port = port;
    }

    /**
     * start runs S3Mock on a free port. The port is free when picked but bound only once Spring has
     * started, and meanwhile another process (or an outgoing connection's ephemeral port) may take
     * it: seen once, as "Failed to start bean 'webServerStartStop'" from a BindException. Such a
     * start is tried again on another port, up to three times.
     */
    static S3Server start(Path workDir) {
        return start(workDir, 0, StackPorts.LOOPBACK);
    }

    /** start runs S3Mock on {@code fixedPort} (0: a free one), listening on {@code bind}. */
    static S3Server start(Path workDir, int fixedPort, String bind) {
        // Spring Boot would reconfigure the JVM's logging for itself: leave it to the JVM's Log4j configuration.
        // Its embedded Tomcat logs through java.util.logging, which no bridge routes then: keep it to warnings.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        TOMCAT_LOGGERS.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        for (int attempt = 1; ; attempt++) {
            int port = fixedPort != 0 ? fixedPort : Ports.free();
            try {
                S3MockApplication app = S3MockApplication.start(new java.util.HashMap<>(Map.of(
                        S3MockApplication.PROP_HTTP_PORT, port,
                        S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT,
                        S3MockApplication.PROP_ROOT_DIRECTORY, workDir.resolve("s3-" + port).toString(),
                        S3MockApplication.PROP_SILENT, true,
                        "spring.main.banner-mode", "off",
                        "logging.level.root", "WARN",
                        "server.address", bind)));
                return new S3Server(app, port);
            } catch (RuntimeException e) {
                if (fixedPort != 0 || attempt >= 3 || !Ports.isBindFailure(e)) {
                    throw e;
                }
            }
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        app.stop();
    }
}
