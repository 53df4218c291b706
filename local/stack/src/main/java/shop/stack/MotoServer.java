package shop.stack;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * MotoServer runs Python moto's {@code moto_server} (a real AWS API emulator: Secrets Manager, API
 * Gateway, SQS, Lambda, CloudFormation; moto 5.2.1 on these machines and on CI, {@code .ci/run}
 * installs it) on a free port of 127.0.0.1, for the tests of every module. Where moto is absent,
 * {@link #start()} and {@link #shared()} throw an {@link AssertionError} that says how to install
 * it: a test that needs the emulator fails, it never skips.
 *
 * <p>The program is {@code MOTO_SERVER} when set (it must work then), else {@code moto_server} on
 * {@code PATH}, else {@code python3 -m moto.server} where moto imports. Each server logs to a
 * temporary file, named in the error when it does not come up.
 */
public final class MotoServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static MotoServer shared;

    private final Process process;
    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MotoServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** start starts a server of the caller's own (a test class's), which {@link #close()} stops. */
    public static MotoServer start() {
        return start(System.getenv());
    }

    /**
     * shared returns this JVM's server, started on first use and stopped by a shutdown hook; tests
     * that share it call {@link #reset()} first.
     */
    public static synchronized MotoServer shared() {
        if (shared == null) {
            shared = start();
            MotoServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "moto-stop"));
        }
        return shared;
    }

    /** start with the environment that names the program ({@code MOTO_SERVER}, {@code PATH}). */
    static MotoServer start(Map<String, String> env) {
        List<String> command = executable(env).orElseThrow(() -> new AssertionError("moto_server is not installed"
                + " here, and this test needs its AWS API emulation. Install Python moto with its server"
                + " (pip install 'moto[server]==5.2.1'; .ci/run does this) or name the program in MOTO_SERVER."));
        int port = freePort();
        Path log;
        Process p;
        try {
            log = Files.createTempFile("moto-server", ".log");
            List<String> argv = new ArrayList<>(command);
            argv.addAll(List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
            p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", command) + " (" + e.getMessage() + "): install"
                    + " Python moto with its server (pip install 'moto[server]==5.2.1') or fix MOTO_SERVER", e);
        }
        MotoServer server = new MotoServer(p, URI.create("http://127.0.0.1:" + port));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!server.answers()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new AssertionError("moto_server did not come up on port " + port + " within " + START_TIMEOUT
                        + ": " + readQuietly(log));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.close();
                throw new AssertionError("interrupted while moto_server started", e);
            }
        }
        return server;
    }

    /** executable is MOTO_SERVER, else moto_server on PATH, else {@code python3 -m moto.server} where moto imports. */
    static Optional<List<String>> executable(Map<String, String> env) {
        String configured = env.get("MOTO_SERVER");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(List.of(configured));
        }
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "moto_server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(List.of(candidate.toString()));
            }
        }
        try {
            Process probe = new ProcessBuilder("python3", "-c", "import moto.server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                return Optional.of(List.of("python3", "-m", "moto.server"));
            }
            probe.destroyForcibly();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1", e);
        }
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(see " + log + ")";
        }
    }

    private boolean answers() {
        try {
            return http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json")).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** endpoint is the emulator's URL, the endpoint override of every SDK client pointed at it. */
    public URI endpoint() {
        return endpoint;
    }

    /** reset forgets every resource, so that a test starts from an empty account. */
    public void reset() {
        post("/moto-api/reset", "");
    }

    /**
     * configure sets moto's own options (its {@code /moto-api/config}), e.g.
     * {@code {"lambda": {"use_docker": false}}} so that Invoke answers without Docker.
     */
    public void configure(String json) {
        post("/moto-api/config", json);
    }

    private void post(String path, String body) {
        try {
            var r = http.send(HttpRequest.newBuilder(endpoint.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** close stops the server and what it started. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
