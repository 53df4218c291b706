package shop.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.RedisClient;
import shop.platform.auth.Caller;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.config.RedisConfig;
import shop.platform.db.Database;
import shop.platform.http.ApiHandler;
import shop.platform.http.ApiResponse;
import shop.platform.http.Cors;
import shop.platform.http.Router;
import shop.platform.redis.RedisAuth;
import shop.platform.snapstart.SnapStartPriming;
import shop.platform.snapstart.SnapshotSensitive;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * HealthHandler answers the health of the service in two depths. Each check probes every
 * dependency in parallel with a short timeout: the database, each Redis node, S3 and DynamoDB.
 * {@code UP} when all answer, {@code DEGRADED} when only a minority of Redis nodes is down (the
 * RedLock still has a quorum), {@code DOWN} (503) otherwise.
 *
 * <ul>
 *   <li>{@code GET /health}, anonymous: only {@code {"status"}}, from a check at most
 *       {@link #FRESH_FOR} old, so a flood of calls costs one check per 10 s and per execution
 *       environment; concurrent callers of a stale result wait for one check, not one each. Nothing
 *       internal (hosts, ports, exception classes) reaches an anonymous caller.</li>
 *   <li>{@code GET /health/details}, role {@code admin} (behind the authorizer): a fresh check with
 *       each dependency's state, latency and error.</li>
 * </ul>
 *
 * <p>The clients are built once per execution environment: the Redis probes reuse one pooled
 * connection per node instead of opening one per call.
 */
public final class HealthHandler extends ApiHandler {
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** FRESH_FOR is how long an anonymous caller is answered from the last check. */
    static final Duration FRESH_FOR = Duration.ofSeconds(10);

    /** Lambda's constructor. */
    public HealthHandler() {
        this(Env.system());
    }

    /** The local runner's constructor. */
    public HealthHandler(Env env) {
        this(Probes.from(env), Cors.from(env), System::nanoTime);
    }

    /** Tests: the handler over built probes. */
    HealthHandler(Probes probes) {
        this(probes, Cors.ANY, System::nanoTime);
    }

    /** Tests: the handler over built probes and a clock of nanoseconds for the cache. */
    HealthHandler(Probes probes, Cors cors, LongSupplier nanoTime) {
        this(new Checker(probes, nanoTime), cors);
        // Before a SnapStart snapshot: run every probe once (loads Jedis, the JDBC driver, the SDK's
        // S3 and DynamoDB marshallers), cache nothing (the snapshot may be restored days later), then
        // drop the pooled database and Redis connections and the Redis token.
        SnapStartPriming.register("health", () -> Checker.probe(probes), List.of(probes.redisAuth(), probes),
                probes.db());
    }

    private HealthHandler(Checker checker, Cors cors) {
        super(new Router()
                .route("GET", "/health", request -> {
                    request.rejectUnknownQuery(Set.of());
                    Report r = checker.recent();
                    return new ApiResponse(r.httpStatus(), Map.of("status", r.status()),
                            Map.of("Cache-Control", "public, max-age=" + FRESH_FOR.toSeconds()));
                })
                .route("GET", "/health/details", request -> {
                    request.caller().require(Caller.ADMIN);
                    request.rejectUnknownQuery(Set.of());
                    Report r = checker.check();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("status", r.status());
                    body.put("checkedAt", r.checkedAt().toString());
                    body.put("down", r.down());
                    body.put("checks", r.checks());
                    return new ApiResponse(r.httpStatus(), body, Map.of("Cache-Control", "no-store"));
                }), cors);
    }

    /**
     * Probes are the dependency checks' clients, built once per execution environment. Before a
     * snapshot the Redis probes drop their connections (they reopen on the next check).
     */
    record Probes(DataSource db, Map<String, RedisClient> redis, RedisAuth redisAuth, S3Client s3, String bucket,
                  DynamoDbClient dynamo, List<String> tables) implements SnapshotSensitive {
        static Probes from(Env env) {
            AwsConfig aws = AwsConfig.from(env);
            RedisConfig redis = RedisConfig.from(env);
            RedisAuth auth = RedisAuth.from(redis, aws);
            Map<String, RedisClient> clients = new LinkedHashMap<>();
            for (RedisConfig.Node node : redis.nodes()) {
                clients.put(node.toString(), redisClient(node, redis.tls(), auth));
            }
            return new Probes(Database.pool(DbConfig.from(env), aws, "health"), clients, auth, AwsClients.s3(aws),
                    env.require("IMAGES_BUCKET"), AwsClients.dynamo(aws),
                    List.of(env.require("UPLOAD_TICKETS_TABLE"), env.require("IDEMPOTENCY_TABLE")));
        }

        /** redisClient keeps at most one connection to a node, opened on first use and kept between checks. */
        private static RedisClient redisClient(RedisConfig.Node node, boolean tls, RedisAuth auth) {
            var config = auth.clientConfig(tls).connectionTimeoutMillis(500).socketTimeoutMillis(500).build();
            var pool = new ConnectionPoolConfig();
            pool.setMaxTotal(1);
            pool.setMaxIdle(1);
            pool.setMinIdle(0);
            pool.setMaxWait(PROBE_TIMEOUT);
            pool.setTestOnBorrow(false);
            pool.setJmxEnabled(false);
            return RedisClient.builder().hostAndPort(node.host(), node.port()).clientConfig(config).poolConfig(pool)
                    .build();
        }

        /** Before a snapshot: close the idle Redis connections; they reopen on use. */
        @Override
        public void beforeSnapshot() {
            redis.values().forEach(c -> c.getPool().clear());
        }
    }

    /** Result is one probe's outcome. */
    private record Result(String name, boolean up, long millis, String error) {
    }

    /** Report is one check of every dependency. */
    record Report(String status, List<String> down, Map<String, Object> checks, Instant checkedAt) {
        int httpStatus() {
            return "DOWN".equals(status) ? 503 : 200;
        }
    }

    /** Checker runs checks and keeps the last one for anonymous callers. */
    static final class Checker {
        private final Probes probes;
        private final LongSupplier nanoTime;
        private final ReentrantLock checking = new ReentrantLock();
        private volatile Report last;
        private volatile long lastAt;

        Checker(Probes probes, LongSupplier nanoTime) {
            this.probes = probes;
            this.nanoTime = nanoTime;
        }

        /** recent is the last check if younger than FRESH_FOR, else a new one (one at a time). */
        Report recent() {
            Report r = last;
            if (r != null && nanoTime.getAsLong() - lastAt < FRESH_FOR.toNanos()) {
                return r;
            }
            checking.lock();
            try {
                r = last;
                if (r != null && nanoTime.getAsLong() - lastAt < FRESH_FOR.toNanos()) {
                    return r; // another caller checked while this one waited
                }
                return check();
            } finally {
                checking.unlock();
            }
        }

        /** check probes every dependency now and keeps the result. */
        Report check() {
            Report r = probe(probes);
            lastAt = nanoTime.getAsLong();
            last = r;
            return r;
        }

        static Report probe(Probes p) {
            Map<String, Callable<Void>> probes = new LinkedHashMap<>();
            probes.put("database", () -> {
                try (var c = p.db().getConnection(); var s = c.createStatement()) {
                    s.setQueryTimeout(2);
                    s.execute("SELECT 1");
                }
                return null;
            });
            p.redis().forEach((node, client) -> probes.put("redis " + node, () -> {
                client.ping();
                return null;
            }));
            probes.put("s3", () -> {
                p.s3().headBucket(b -> b.bucket(p.bucket()));
                return null;
            });
            probes.put("dynamodb", () -> {
                for (String table : p.tables()) {
                    p.dynamo().describeTable(t -> t.tableName(table));
                }
                return null;
            });

            Instant checkedAt = Instant.now();
            List<Result> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Map<String, Future<Void>> running = new LinkedHashMap<>();
                Map<String, Long> started = new LinkedHashMap<>();
                probes.forEach((name, probe) -> {
                    started.put(name, System.nanoTime());
                    running.put(name, pool.submit(probe));
                });
                long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
                running.forEach((name, future) -> {
                    String error = null;
                    try {
                        future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        future.cancel(true);
                        error = "no answer within " + PROBE_TIMEOUT.toMillis() + " ms";
                    } catch (java.util.concurrent.ExecutionException e) {
                        error = e.getCause().getClass().getSimpleName();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        error = "interrupted";
                    }
                    results.add(new Result(name, error == null, (System.nanoTime() - started.get(name)) / 1_000_000, error));
                });
            }

            Map<String, Object> checks = new LinkedHashMap<>();
            List<String> down = new ArrayList<>();
            int redisDown = 0;
            for (Result r : results) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("status", r.up() ? "UP" : "DOWN");
                entry.put("latencyMs", r.millis());
                if (r.error() != null) {
                    entry.put("error", r.error());
                    down.add(r.name());
                    if (r.name().startsWith("redis ")) {
                        redisDown++;
                    }
                }
                checks.put(r.name(), entry);
            }
            int redisTotal = p.redis().size();
            boolean redisQuorum = redisTotal - redisDown >= redisTotal / 2 + 1;
            boolean othersUp = down.stream().noneMatch(n -> !n.startsWith("redis "));
            String status = down.isEmpty() ? "UP" : othersUp && redisQuorum ? "DEGRADED" : "DOWN";
            return new Report(status, List.copyOf(down), checks, checkedAt);
        }
    }
}
