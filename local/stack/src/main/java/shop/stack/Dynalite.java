package shop.stack;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Dynalite runs dynalite (a DynamoDB implementation on LevelDB, MIT) under Node as a child process,
 * in memory, on a free loopback port. It has no transactions and no TTL expiry: the functions use
 * conditional writes only and treat expired items as absent themselves.
 */
final class Dynalite implements AutoCloseable {
    private final Process process;
    private final int port;

    private Dynalite(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static Dynalite start(Path projectRoot, Path workDir) {
        return start(projectRoot, workDir, 0, StackPorts.LOOPBACK);
    }

    /** start runs dynalite on {@code fixedPort} (0: a free one), listening on {@code bind}. */
    static Dynalite start(Path projectRoot, Path workDir, int fixedPort, String bind) {
        Path installed = projectRoot.resolve("local/node/node_modules/dynalite/cli.js");
        if (!Files.isRegularFile(installed)) {
            throw new IllegalStateException("dynalite is not installed at " + installed
                    + ": run `npm ci --prefix local/node` (./dev does this for you)");
        }
        // dynalite's command line, run so that a client dropping a request does not end the server.
        Path cli = projectRoot.resolve("local/node/dynalite-server.js");
        int port = fixedPort != 0 ? fixedPort : Ports.free();
        try {
            Files.createDirectories(workDir);
            ProcessBuilder pb = new ProcessBuilder(List.of("node", cli.toString(),
                    "--host", bind, "--port", Integer.toString(port),
                    "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"))
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("dynalite-" + port + ".log").toFile());
            Process process = pb.start();
            Dynalite dynalite = new Dynalite(process, port);
            try {
                Ports.awaitListening("dynalite", port, Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                dynalite.close();
                throw e;
            }
            return dynalite;
        } catch (IOException e) {
            throw new IllegalStateException("could not start dynalite (is `node` on the PATH?): " + e.getMessage(), e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
