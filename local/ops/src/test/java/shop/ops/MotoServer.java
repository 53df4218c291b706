package shop.ops;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * MotoServer runs Python moto's {@code moto_server} (a real AWS API emulator, 5.2.1 on these
 * machines and on CI) on a free port of 127.0.0.1 for this JVM's tests. Without it the tests fail,
 * saying how to install it: they never skip.
 */
final class MotoServer {
    private static MotoServer shared;

    private final Process process;
    private final URI endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    private MotoServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** get returns this JVM's server, starting it on first use; a shutdown hook stops it. */
    static synchronized MotoServer get() {
        if (shared == null) {
            shared = start();
            Process p = shared.process;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }, "moto-stop"));
        }
        return shared;
    }

    private static MotoServer start() {
        java.util.List<String> command = executable().orElseThrow(() -> new AssertionError("moto_server is not installed here, so the"
                + " verifier cannot be tested against API Gateway's emulation. Install Python moto with its server"
                + " (pip install 'moto[server]==5.2.1'; .ci/run does this) or put moto_server on PATH (MOTO_SERVER=path)."));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
        try {
            Path log = Files.createTempFile("moto-server", ".log");
            java.util.List<String> argv = new java.util.ArrayList<>(command);
            argv.addAll(java.util.List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            MotoServer server = new MotoServer(p, URI.create("http://127.0.0.1:" + port));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!server.answers()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroy();
                    throw new AssertionError("moto_server did not come up on port " + port + ": " + Files.readString(log));
                }
                Thread.sleep(100);
            }
            return server;
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** executable is MOTO_SERVER, else moto_server on PATH, else {@code python3 -m moto.server} where moto imports. */
    private static Optional<java.util.List<String>> executable() {
        String configured = System.getenv("MOTO_SERVER");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(java.util.List.of(configured));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "moto_server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(java.util.List.of(candidate.toString()));
            }
        }
        try {
            Process probe = new ProcessBuilder("python3", "-c", "import moto.server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (probe.waitFor() == 0) {
                return Optional.of(java.util.List.of("python3", "-m", "moto.server"));
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
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

    /** reset forgets every resource, so each test starts from an empty account. */
    void reset() {
        post("/moto-api/reset", "");
    }

    /** simpleLambda makes Invoke answer without Docker: it echoes the payload, as a handler that succeeded. */
    void simpleLambda() {
        post("/moto-api/config", "{\"lambda\": {\"use_docker\": false}}");
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

    /** aws returns clients for this server, with moto's test credentials. */
    AwsAccess aws() {
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        return new AwsAccess(Region.US_EAST_1, Optional.of(endpoint));
    }
}
