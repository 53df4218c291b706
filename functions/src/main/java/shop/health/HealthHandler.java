package shop.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.config.RedisConfig;
import shop.platform.db.Database;
import shop.platform.http.ApiHandler;
import shop.platform.http.ApiResponse;
import shop.platform.http.Router;
import shop.platform.redis.RedisAuth;
import shop.platform.snapstart.SnapStartPriming;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * HealthHandler answers {@code GET /health} with the state of every dependency, each probed in
 * parallel with a short timeout: 200 {@code UP} when all answer, 200 {@code DEGRADED} when only a
 * minority of Redis nodes is down (the RedLock still has a quorum), and 503 {@code DOWN} naming
 * what is down otherwise.
 */
public final class HealthHandler extends ApiHandler {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /** Lambda's constructor. */
    public HealthHandler() {
        this(Env.system());
    }

    /** The local runner's constructor. */
    public HealthHandler(Env env) {
        this(Probes.from(env));
    }

    HealthHandler(Probes probes) {
        super(new Router().route("GET", "/health", request -> check(probes)));
        // Before a SnapStart snapshot: run every probe once (loads Jedis, the JDBC driver, the SDK's
        // S3 and DynamoDB marshallers), then drop the pooled connection.
        SnapStartPriming.register("health", () -> check(probes), List.of(probes.redisAuth()), probes.db());
    }

    /** Probes are the dependency checks, built once with their clients. */
    record Probes(DataSource db, List<RedisConfig.Node> redisNodes, boolean redisTls, RedisAuth redisAuth, S3Client s3,
                  String bucket, DynamoDbClient dynamo, List<String> tables) {
        static Probes from(Env env) {
            AwsConfig aws = AwsConfig.from(env);
            RedisConfig redis = RedisConfig.from(env);
            return new Probes(Database.pool(DbConfig.from(env), aws, "health"), redis.nodes(), redis.tls(),
                    RedisAuth.from(redis, aws), AwsClients.s3(aws), env.require("IMAGES_BUCKET"), AwsClients.dynamo(aws),
                    List.of(env.require("UPLOAD_TICKETS_TABLE"), env.require("IDEMPOTENCY_TABLE")));
        }
    }

    private record Result(String name, boolean up, long millis, String error) {
    }

    static ApiResponse check(Probes p) {
        Map<String, Callable<Void>> probes = new LinkedHashMap<>();
        probes.put("database", () -> {
            try (var c = p.db().getConnection(); var s = c.createStatement()) {
                s.setQueryTimeout(2);
                s.execute("SELECT 1");
            }
            return null;
        });
        for (RedisConfig.Node node : p.redisNodes()) {
            probes.put("redis " + node, () -> {
                var cfg = p.redisAuth().clientConfig(p.redisTls()).connectionTimeoutMillis(500).socketTimeoutMillis(500)
                        .build();
                try (Jedis jedis = new Jedis(new HostAndPort(node.host(), node.port()), cfg)) {
                    jedis.ping();
                }
                return null;
            });
        }
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
        int redisTotal = p.redisNodes().size();
        boolean redisQuorum = redisTotal - redisDown >= redisTotal / 2 + 1;
        boolean othersUp = down.stream().noneMatch(n -> !n.startsWith("redis "));
        String status = down.isEmpty() ? "UP" : othersUp && redisQuorum ? "DEGRADED" : "DOWN";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("down", down);
        body.put("checks", checks);
        return new ApiResponse("DOWN".equals(status) ? 503 : 200, body, Map.of("Cache-Control", "no-store"));
    }
}
