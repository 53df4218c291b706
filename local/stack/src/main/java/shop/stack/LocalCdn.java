package shop.stack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * LocalCdn stands in for the template's CloudFront distribution of images, on its own base URL
 * ({@code http://127.0.0.1:PORT}, as the distribution has its own domain), so that image URLs, the
 * admin page and the API behave locally as they do deployed. What it serves and how come from
 * {@code template.yaml} ({@link Rules#fromTemplate}), so the two cannot drift:
 * <ul>
 *   <li>which keys: the images bucket's policy statements for the {@code cloudfront.amazonaws.com}
 *       principal; an explicit Deny wins, then an Allow must match (both {@code images/*} and
 *       {@code uploads/*} are read from there). Anything else, a missing object included, is 403
 *       {@code AccessDenied}, as S3 answers CloudFront when it may not list the bucket;</li>
 *   <li>which methods: the default cache behaviour's {@code AllowedMethods} (others are 403);</li>
 *   <li>which headers: the object's own (Content-Type, Cache-Control, Content-Disposition, ETag,
 *       Last-Modified), then the response headers policy's security and custom headers, with their
 *       {@code Override} flag, on every response, errors included.</li>
 * </ul>
 * It does not cache, and Strict-Transport-Security is sent over plain HTTP (browsers ignore it there).
 */
public final class LocalCdn implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCdn.class);
    private static final String CLOUDFRONT = "cloudfront.amazonaws.com";
    private static final byte[] ACCESS_DENIED = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>").getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService executor;
    private final S3Client s3;

    private LocalCdn(HttpServer server, ExecutorService executor, S3Client s3) {
        this.server = server;
        this.executor = executor;
        this.s3 = s3;
    }

    /**
     * Rules are what the template says the distribution serves.
     *
     * @param bucketLogicalId the bucket behind it
     * @param allowed         key patterns CloudFront may read ({@code *} matches anything)
     * @param denied          key patterns it may never read
     * @param methods         the methods it answers
     * @param headers         the response headers policy's headers, in order
     */
    public record Rules(String bucketLogicalId, List<String> allowed, List<String> denied, List<String> methods,
                        List<PolicyHeader> headers) {

        /**
         * PolicyHeader is one header of the response headers policy.
         *
         * @param name     the header
         * @param value    its value
         * @param override whether it replaces the origin's header of that name
         */
        public record PolicyHeader(String name, String value, boolean override) {
        }

        /** readable tells whether the distribution may serve {@code key}. */
        public boolean readable(String key) {
            return denied.stream().noneMatch(p -> matches(p, key)) && allowed.stream().anyMatch(p -> matches(p, key));
        }

        private static boolean matches(String pattern, String key) {
            StringBuilder regex = new StringBuilder();
            for (String part : pattern.split("\\*", -1)) {
                if (!regex.isEmpty()) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(part));
            }
            return key.matches(regex.toString());
        }

        /**
         * fromTemplate reads the first {@code AWS::CloudFront::Distribution}; empty when there is none.
         * Its bucket is the one whose policy names {@code cloudfront.amazonaws.com}.
         */
        public static Optional<Rules> fromTemplate(Template template) {
            var distributions = template.resourcesOfType("AWS::CloudFront::Distribution");
            if (distributions.isEmpty()) {
                return Optional.empty();
            }
            String distributionId = distributions.keySet().iterator().next();
            Map<String, Object> behaviour = Template.map(Template.map(template.properties(distributionId)
                    .get("DistributionConfig")).get("DefaultCacheBehavior"));
            List<String> methods = Template.list(behaviour.get("AllowedMethods")).stream().map(String::valueOf).toList();
            List<PolicyHeader> headers = new ArrayList<>();
            Object policyRef = behaviour.get("ResponseHeadersPolicyId");
            if (policyRef != null) {
                String policyId = (String) Template.map(policyRef).get("Ref");
                headers.addAll(policyHeaders(Template.map(template.properties(policyId).get("ResponseHeadersPolicyConfig"))));
            }
            String bucket = null;
            List<String> allowed = new ArrayList<>();
            List<String> denied = new ArrayList<>();
            for (var policy : template.resourcesOfType("AWS::S3::BucketPolicy").entrySet()) {
                Map<String, Object> props = Template.map(policy.getValue().get("Properties"));
                for (Object o : Template.list(Template.map(props.get("PolicyDocument")).get("Statement"))) {
                    Map<String, Object> st = Template.map(o);
                    Object principal = st.get("Principal");
                    if (!(principal instanceof Map<?, ?> p) || !CLOUDFRONT.equals(p.get("Service"))) {
                        continue;
                    }
                    bucket = (String) Template.map(props.get("Bucket")).get("Ref");
                    List<String> target = "Deny".equals(st.get("Effect")) ? denied : allowed;
                    for (Object resource : resources(st.get("Resource"))) {
                        target.add(keyPattern(resource));
                    }
                }
            }
            if (bucket == null) {
                throw new IllegalArgumentException("template.yaml has a distribution (" + distributionId
                        + ") but no bucket policy for " + CLOUDFRONT);
            }
            return Optional.of(new Rules(bucket, List.copyOf(allowed), List.copyOf(denied), methods, List.copyOf(headers)));
        }

        private static List<Object> resources(Object resource) {
            return resource instanceof List<?> l ? new ArrayList<>(l) : List.of(resource);
        }

        /** keyPattern turns {@code !Sub "${Bucket.Arn}/images/*"} (or an ARN) into {@code images/*}. */
        private static String keyPattern(Object resource) {
            String text = resource instanceof Map<?, ?> m && m.get("Fn::Sub") instanceof String sub ? sub
                    : String.valueOf(resource);
            int slash = text.indexOf("}/");
            if (slash >= 0) {
                return text.substring(slash + 2);
            }
            int arnSlash = text.indexOf('/');
            if (text.startsWith("arn:") && arnSlash > 0) {
                return text.substring(arnSlash + 1);
            }
            throw new IllegalArgumentException("cannot read an object key pattern from the policy resource " + resource);
        }

        private static List<PolicyHeader> policyHeaders(Map<String, Object> config) {
            List<PolicyHeader> out = new ArrayList<>();
            Map<String, Object> security = Template.map(config.get("SecurityHeadersConfig"));
            security.forEach((name, value) -> {
                Map<String, Object> h = Template.map(value);
                boolean override = Boolean.TRUE.equals(h.get("Override"));
                switch (name) {
                    case "ContentTypeOptions" -> out.add(new PolicyHeader("X-Content-Type-Options", "nosniff", override));
                    case "ContentSecurityPolicy" -> out.add(new PolicyHeader("Content-Security-Policy",
                            String.valueOf(h.get("ContentSecurityPolicy")), override));
                    case "FrameOptions" -> out.add(new PolicyHeader("X-Frame-Options", String.valueOf(h.get("FrameOption")),
                            override));
                    case "ReferrerPolicy" -> out.add(new PolicyHeader("Referrer-Policy", String.valueOf(h.get("ReferrerPolicy")),
                            override));
                    case "StrictTransportSecurity" -> out.add(new PolicyHeader("Strict-Transport-Security",
                            "max-age=" + h.get("AccessControlMaxAgeSec")
                                    + (Boolean.TRUE.equals(h.get("IncludeSubdomains")) ? "; includeSubDomains" : "")
                                    + (Boolean.TRUE.equals(h.get("Preload")) ? "; preload" : ""), override));
                    case "XSSProtection" -> out.add(new PolicyHeader("X-XSS-Protection",
                            Boolean.TRUE.equals(h.get("Protection"))
                                    ? "1" + (Boolean.TRUE.equals(h.get("ModeBlock")) ? "; mode=block" : "") : "0", override));
                    default -> throw new IllegalArgumentException("LocalCdn does not know the security header " + name);
                }
            });
            for (Object o : Template.list(Template.map(config.get("CustomHeadersConfig")).get("Items"))) {
                Map<String, Object> h = Template.map(o);
                out.add(new PolicyHeader(String.valueOf(h.get("Header")), String.valueOf(h.get("Value")),
                        Boolean.TRUE.equals(h.get("Override"))));
            }
            return out;
        }
    }

    /** start serves {@code bucket} of {@code s3} under the rules, on a free port of 127.0.0.1; it closes {@code s3}. */
    public static LocalCdn start(Rules rules, S3Client s3, String bucket) {
        return start(rules, s3, bucket, 0, StackPorts.LOOPBACK);
    }

    /** start serves on {@code port} (0: a free one) of {@code bind} (127.0.0.1, or 0.0.0.0 for containers). */
    public static LocalCdn start(Rules rules, S3Client s3, String bucket, int port, String bind) {
        HttpServer server;
        try {
            InetAddress at = StackPorts.LOOPBACK.equals(bind) ? InetAddress.getLoopbackAddress() : InetAddress.getByName(bind);
            server = HttpServer.create(new InetSocketAddress(at, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bind + ":" + port + " for the local CDN", e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.createContext("/", exchange -> {
            try (exchange) {
                respond(exchange, rules, s3, bucket);
            } catch (RuntimeException | IOException e) {
                LOG.warn("local CDN {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            }
        });
        server.setExecutor(executor);
        server.start();
        LocalCdn cdn = new LocalCdn(server, executor, s3);
        LOG.info("images of {} served at {} (keys {}, never {})", bucket, cdn.baseUrl(), rules.allowed(), rules.denied());
        return cdn;
    }

    /** baseUrl is where it serves, without a trailing slash: the local PUBLIC_IMAGE_BASE_URL. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void respond(HttpExchange exchange, Rules rules, S3Client s3, String bucket) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String raw = exchange.getRequestURI().getRawPath();
        // CloudFront forwards the path; S3 decodes it into the key.
        String key = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8).substring(1);
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = ACCESS_DENIED;
        int status = 403;
        headers.put("Content-Type", "application/xml");
        if (rules.methods().contains(method) && !key.isEmpty() && rules.readable(key)) {
            try {
                ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key));
                GetObjectResponse o = object.response();
                headers.clear();
                put(headers, "Content-Type", o.contentType());
                put(headers, "Cache-Control", o.cacheControl());
                put(headers, "Content-Disposition", o.contentDisposition());
                put(headers, "ETag", o.eTag());
                if (o.lastModified() != null) {
                    headers.put("Last-Modified", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                            .format(o.lastModified().atZone(java.time.ZoneOffset.UTC)));
                }
                status = 200;
                body = object.asByteArray();
            } catch (NoSuchKeyException e) {
                // 403 as above: without s3:ListBucket, S3 tells CloudFront "access denied", not "no such key".
            } catch (S3Exception e) {
                if (e.statusCode() != 404 && e.statusCode() != 403) {
                    status = 502;
                    body = ("local CDN: the bucket answered " + e.statusCode()).getBytes(StandardCharsets.UTF_8);
                    headers.put("Content-Type", "text/plain");
                }
            }
        }
        for (Rules.PolicyHeader h : rules.headers()) {
            if (h.override() || headers.keySet().stream().noneMatch(n -> n.equalsIgnoreCase(h.name()))) {
                headers.keySet().removeIf(n -> n.equalsIgnoreCase(h.name()));
                headers.put(h.name(), h.value());
            }
        }
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean noBody = method.equals("HEAD");
        if (noBody) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void put(Map<String, String> headers, String name, String value) {
        if (value != null && !value.isEmpty()) {
            headers.put(name, value);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        s3.close();
    }
}
