package shop.dev;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DevServer is the runner's HTTP front on 127.0.0.1 (the JDK's HttpServer, a virtual thread per
 * request): the public keys of local tokens at {@code /.well-known/jwks.json}, the admin page's
 * files under {@code /admin/}, and everything else through the {@link ApiGateway}. It is bound
 * first and started later, because the functions' JWKS_URL needs its port.
 */
final class DevServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevServer.class);
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png",
            "svg", "image/svg+xml", "json", "application/json", "ico", "image/x-icon", "jpg", "image/jpeg",
            "webp", "image/webp");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private DevServer(HttpServer server) {
        this.server = server;
    }

    /** bind takes the port (0 for any free one) on 127.0.0.1 without serving yet. */
    static DevServer bind(int port) {
        return bind(port, "127.0.0.1");
    }

    /** bind takes the port on an address (127.0.0.1, or 0.0.0.0 for containers) without serving yet. */
    static DevServer bind(int port, String address) {
        try {
            InetAddress at = "127.0.0.1".equals(address) ? InetAddress.getLoopbackAddress() : InetAddress.getByName(address);
            HttpServer server = HttpServer.create(new InetSocketAddress(at, port), 256);
            return new DevServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + ":" + port
                    + (port != 0 ? " (in use? pick another with --port)" : ""), e);
        }
    }

    /** port returns the bound port. */
    int port() {
        return server.getAddress().getPort();
    }

    /**
     * start serves; {@code gateway} may be null (then only the JWKS is served, for {@code ./dev invoke}).
     *
     * @param adminDir the folder served at /admin/
     */
    void start(ApiGateway gateway, SigningKey key, Path adminDir) {
        String jwks = key.jwks();
        Path admin = adminDir.toAbsolutePath().normalize();
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
                HttpReply reply;
                if (path.equals("/.well-known/jwks.json")) {
                    reply = method.equals("GET") || method.equals("HEAD")
                            ? HttpReply.of(200, Map.of("Content-Type", "application/json", "Cache-Control", "no-store"), jwks)
                            : HttpReply.of(405, Map.of("Allow", "GET"), "");
                } else if (path.equals("/admin")) {
                    reply = HttpReply.of(301, Map.of("Location", "/admin/"), "");
                } else if (path.startsWith("/admin/")) {
                    reply = staticFile(admin, path.substring("/admin/".length()));
                } else if (gateway == null) {
                    reply = HttpReply.of(404, Map.of("Content-Type", "text/plain"), "only the JWKS is served here\n");
                } else {
                    reply = gateway.handle(toCall(exchange, method));
                }
                write(exchange, method, reply);
            } catch (RuntimeException | IOException e) {
                LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /**
     * control serves the runner's own endpoints under {@code /.dev/} (not API routes, like the JWKS)
     * with {@code handler}; {@code ./dev redrive} talks to the running runner through them.
     */
    void control(java.util.function.Function<HttpCall, HttpReply> handler) {
        server.createContext("/.dev/", exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
                write(exchange, method, handler.apply(toCall(exchange, method)));
            } catch (RuntimeException | IOException e) {
                LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            }
        });
    }

    private static HttpCall toCall(HttpExchange exchange, String method) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(trainCase(name), new ArrayList<>(values)));
        String ip = exchange.getRemoteAddress().getAddress().getHostAddress();
        // API Gateway adds these for the integration.
        headers.putIfAbsent("X-Forwarded-For", List.of(ip));
        headers.putIfAbsent("X-Forwarded-Port", List.of(Integer.toString(exchange.getLocalAddress().getPort())));
        headers.putIfAbsent("X-Forwarded-Proto", List.of("http"));
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        return new HttpCall(method, exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                headers, body, ip);
    }

    /** trainCase restores the usual spelling of a header name (the JDK server lower-cases all but the first letter). */
    static String trainCase(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }

    private static HttpReply staticFile(Path root, String relative) {
        Path file = root.resolve(java.net.URLDecoder.decode(relative, java.nio.charset.StandardCharsets.UTF_8)).normalize();
        if (!file.startsWith(root)) {
            return HttpReply.of(404, Map.of("Content-Type", "text/plain"), "Not Found\n");
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        if (!Files.isRegularFile(file)) {
            return HttpReply.of(404, Map.of("Content-Type", "text/plain"), "Not Found\n");
        }
        String name = file.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        try {
            return new HttpReply(200, new LinkedHashMap<>(Map.of(
                    "Content-Type", List.of(CONTENT_TYPES.getOrDefault(ext, "application/octet-stream")),
                    "Cache-Control", List.of("no-cache"))), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(HttpExchange exchange, String method, HttpReply reply) throws IOException {
        reply.headers().forEach((name, values) -> exchange.getResponseHeaders().put(name, List.copyOf(values)));
        boolean noBody = method.equals("HEAD") || reply.status() == 204 || reply.status() == 304 || reply.body().length == 0;
        exchange.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
