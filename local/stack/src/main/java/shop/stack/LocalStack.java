package shop.stack;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LocalStack is the set of servers the functions need, running on 127.0.0.1: MariaDB, N independent
 * Redis masters, an S3 stand-in and a DynamoDB stand-in, with the bucket and tables of
 * {@code template.yaml} created in them, and the template's images distribution stood in for by a
 * {@link LocalCdn} on its own base URL. Tests and {@code ./dev} share one per JVM through
 * {@link #shared()}.
 *
 * <p>The environment variable {@code SHOP_STACK} picks where the servers come from:
 * <ul>
 *   <li>{@code embedded} (default): started here, without Docker or a cloud account, on free
 *       ports or on the fixed ones of {@link StackPorts} ({@code SHOP_STACK_PORTS=fixed});</li>
 *   <li>{@code external}: nothing is started; {@code DB_URL}, {@code DB_USER}, {@code DB_PASSWORD},
 *       {@code REDIS_NODES}, {@code S3_ENDPOINT}, {@code DYNAMODB_ENDPOINT} and {@code AWS_REGION}
 *       point at servers that run elsewhere (real AWS, LocalStack, Floci); {@code DB_MIGRATION_USER}
 *       and {@code DB_ADMIN_USER} (with their {@code _PASSWORD}s) default to {@code DB_USER};</li>
 *   <li>{@code localstack}: S3 and DynamoDB from a LocalStack container through Testcontainers
 *       (image {@code SHOP_LOCALSTACK_IMAGE}), MariaDB and Redis embedded. Needs Docker.</li>
 * </ul>
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final StackEndpoints.DbAccount MIGRATION =
            new StackEndpoints.DbAccount(DatabaseUsers.MIGRATION_USER, DatabaseUsers.MIGRATION_PASSWORD);
    private static final StackEndpoints.DbAccount ROOT = new StackEndpoints.DbAccount("root", "");
    private static LocalStack shared;

    private final StackEndpoints endpoints;
    private final Provisioned resources;
    private final RedisNodes redis;
    private final LocalCdn cdn;
    private final List<AutoCloseable> servers;
    private final Duration startTime;
    private final String bind;

    private LocalStack(StackEndpoints endpoints, Provisioned resources, RedisNodes redis, LocalCdn cdn,
                       List<AutoCloseable> servers, Duration startTime, String bind) {
        this.endpoints = endpoints;
        this.resources = resources;
        this.redis = redis;
        this.cdn = cdn;
        this.servers = servers;
        this.startTime = startTime;
        this.bind = bind;
    }

    /** bind is the address the embedded servers listen on (127.0.0.1, or 0.0.0.0 for Docker on Linux). */
    public String bind() {
        return bind;
    }

    /** shared returns this JVM's stack, starting it on first use; a shutdown hook stops it. */
    public static synchronized LocalStack shared() {
        if (shared == null) {
            shared = start(System.getenv());
            LocalStack stack = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-stop"));
        }
        return shared;
    }

    /** start starts (or, in external mode, connects to) a stack as the environment says. */
    public static LocalStack start(Map<String, String> env) {
        String mode = env.getOrDefault("SHOP_STACK", "embedded").trim();
        long t0 = System.nanoTime();
        Path root = ProjectRoot.find();
        Path work = workDir(root);
        List<AutoCloseable> servers = new ArrayList<>();
        try {
            StackPorts ports = StackPorts.from(Map.of(), 0); // free ports on loopback, unless embedded says otherwise
            StackEndpoints endpoints;
            RedisNodes redis = null;
            switch (mode) {
                case "embedded" -> {
                    int redisCount = Integer.parseInt(env.getOrDefault("SHOP_REDIS_NODE_COUNT", "5"));
                    // The four servers start side by side: the stack is ready as soon as the slowest is.
                    ports = StackPorts.from(env, redisCount);
                    StartAll all = StartAll.run(root, work, redisCount, ports);
                    servers.addAll(List.of(all.s3(), all.dynamo(), all.redis(), all.db()));
                    redis = all.redis();
                    endpoints = new StackEndpoints(all.db().jdbcUrl(), DatabaseUsers.APP_USER, DatabaseUsers.APP_PASSWORD,
                            redis.addresses(), all.s3().endpoint(), all.dynamo().endpoint(), "us-east-1", "local",
                            "local", MIGRATION, ROOT);
                }
                case "localstack" -> {
                    int redisCount = Integer.parseInt(env.getOrDefault("SHOP_REDIS_NODE_COUNT", "5"));
                    MariaDbServer db = MariaDbServer.start(work);
                    servers.add(db);
                    redis = RedisNodes.startAll(redisCount);
                    servers.add(redis);
                    LocalStackContainer container = LocalStackContainer.start(
                            env.getOrDefault("SHOP_LOCALSTACK_IMAGE", LocalStackContainer.DEFAULT_IMAGE),
                            env.get("LOCALSTACK_AUTH_TOKEN"));
                    servers.add(container);
                    endpoints = new StackEndpoints(db.jdbcUrl(), DatabaseUsers.APP_USER, DatabaseUsers.APP_PASSWORD,
                            redis.addresses(), container.endpoint(), container.endpoint(), container.region(),
                            container.accessKey(), container.secretKey(), MIGRATION, ROOT);
                }
                case "external" -> {
                    String url = require(env, "DB_URL");
                    String user = require(env, "DB_USER");
                    String password = env.getOrDefault("DB_PASSWORD", "");
                    endpoints = new StackEndpoints(
                            url, user, password,
                            List.of(require(env, "REDIS_NODES").split(",")),
                            uriOrNull(env.get("S3_ENDPOINT")), uriOrNull(env.get("DYNAMODB_ENDPOINT")),
                            env.getOrDefault("AWS_REGION", "us-east-1"),
                            env.getOrDefault("AWS_ACCESS_KEY_ID", ""), env.getOrDefault("AWS_SECRET_ACCESS_KEY", ""),
                            account(env, "DB_MIGRATION", user, password), account(env, "DB_ADMIN", user, password));
                }
                default -> throw new IllegalArgumentException(
                        "SHOP_STACK must be embedded, external or localstack, not '" + mode + "'");
            }
            Template template = Template.load(root.resolve("template.yaml"));
            Provisioned resources = Provisioner.provision(template, endpoints);
            LocalCdn cdn = Provisioner.cdn(template, endpoints, resources, ports.cdn(), ports.bind()).orElse(null);
            if (cdn != null) {
                servers.add(cdn);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("local stack ({}) up in {} ms: {}", mode, took.toMillis(), endpoints);
            return new LocalStack(endpoints, resources, redis, cdn, servers, took,
                    env.getOrDefault("SHOP_STACK_BIND", StackPorts.LOOPBACK).trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll(servers);
            throw new IllegalStateException("interrupted while starting the local stack", e);
        } catch (RuntimeException e) {
            closeAll(servers);
            throw e;
        }
    }

    /** workDir is where the embedded servers keep their files (system property shop.stack.dir). */
    static Path workDir(Path root) {
        String configured = System.getProperty("shop.stack.dir");
        Path dir = configured != null ? Path.of(configured) : root.resolve(".stack");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir, e);
        }
        return dir.toAbsolutePath();
    }

    private static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("SHOP_STACK=external needs " + name + " set");
        }
        return value;
    }

    /** account is {@code PREFIX_USER}/{@code PREFIX_PASSWORD}, or the given user when unset. */
    private static StackEndpoints.DbAccount account(Map<String, String> env, String prefix, String user, String password) {
        String u = env.get(prefix + "_USER");
        return u == null || u.isBlank() ? new StackEndpoints.DbAccount(user, password)
                : new StackEndpoints.DbAccount(u, env.getOrDefault(prefix + "_PASSWORD", ""));
    }

    private static URI uriOrNull(String value) {
        return value == null || value.isBlank() ? null : URI.create(value);
    }

    /** endpoints returns where the servers answer. */
    public StackEndpoints endpoints() {
        return endpoints;
    }

    /** resources returns the bucket and table names created from the template. */
    public Provisioned resources() {
        return resources;
    }

    /**
     * imagesBaseUrl is where the local stand-in of the images distribution serves verified images
     * (the local {@code PUBLIC_IMAGE_BASE_URL}); empty when the template has no distribution or the
     * stack has no S3 endpoint.
     */
    public Optional<URI> imagesBaseUrl() {
        return Optional.ofNullable(cdn).map(LocalCdn::baseUrl);
    }

    /** redis returns the embedded Redis nodes, for fault tests; empty in external mode. */
    public Optional<RedisNodes> redis() {
        return Optional.ofNullable(redis);
    }

    /** startTime is how long {@link #start} took, provisioning included. */
    public Duration startTime() {
        return startTime;
    }

    @Override
    public synchronized void close() {
        closeAll(servers);
        servers.clear();
    }

    private static void closeAll(List<AutoCloseable> servers) {
        for (AutoCloseable server : servers.reversed()) {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", server.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** The embedded servers, started in parallel. */
    private record StartAll(MariaDbServer db, RedisNodes redis, S3Server s3, Dynalite dynamo) {
        static StartAll run(Path root, Path work, int redisCount, StackPorts ports) throws InterruptedException {
            var db = new java.util.concurrent.atomic.AtomicReference<MariaDbServer>();
            var s3 = new java.util.concurrent.atomic.AtomicReference<S3Server>();
            var failure = new java.util.concurrent.atomic.AtomicReference<RuntimeException>();
            Thread dbThread = Thread.ofPlatform().name("start-mariadb").start(() -> {
                try {
                    db.set(MariaDbServer.start(work, ports.db(), ports.bind()));
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            });
            Thread s3Thread = Thread.ofPlatform().name("start-s3").start(() -> {
                try {
                    s3.set(S3Server.start(work, ports.s3(), ports.bind()));
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            });
            RedisNodes redis = null;
            Dynalite dynamo = null;
            try {
                redis = RedisNodes.startAll(redisCount, ports.redis(), ports.bind());
                dynamo = Dynalite.start(root, work, ports.dynamo(), ports.bind());
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
            dbThread.join();
            s3Thread.join();
            if (failure.get() != null) {
                for (AutoCloseable c : new AutoCloseable[] {db.get(), s3.get(), redis, dynamo}) {
                    if (c != null) {
                        try {
                            c.close();
                        } catch (Exception ignored) {
                            // Best effort: the start failure is what gets reported.
                        }
                    }
                }
                throw failure.get();
            }
            return new StartAll(db.get(), redis, s3.get(), dynamo);
        }
    }
}
