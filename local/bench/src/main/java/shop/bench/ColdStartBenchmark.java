package shop.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.LocalStack;
import shop.stack.ProjectRoot;
import shop.stack.Template;

/**
 * ColdStartBenchmark measures, for each function of template.yaml, the cold-start share the code
 * controls: a fresh JVM on the deployable jar, from JVM start to the first response, split into
 * JVM-to-main, init (handler construction: config, pools, SDK clients) and the first invocation.
 * Each function runs {@code RUNS} times against the local stack; the median is reported, with the
 * stack's start time and the jar's size. Prints a Markdown section for docs/benchmarks.md.
 *
 * <p>Usage: {@code ./dev bench ColdStartBenchmark [RUNS]} (default 5).
 */
public final class ColdStartBenchmark {
    private ColdStartBenchmark() {
    }

    /** main runs the measurement. */
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = ProjectRoot.find();
        Path jar = root.resolve("functions/target/shop-functions.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("build the jar first: ./mvnw -pl functions -am package -DskipTests");
        }
        long t0 = System.nanoTime();
        LocalStack stack = LocalStack.start(System.getenv());
        long stackMs = (System.nanoTime() - t0) / 1_000_000;
        try {
            Map<String, String> env = new HashMap<>(stack.endpoints().toEnvironment());
            env.put("IMAGES_BUCKET", stack.resources().name("ImagesBucket"));
            env.put("UPLOAD_TICKETS_TABLE", stack.resources().name("UploadTicketsTable"));
            env.put("IDEMPOTENCY_TABLE", stack.resources().name("IdempotencyTable"));
            env.put("REDIS_TLS", "false");
            env.put("JWT_ISSUER", "shop-local");
            env.put("JWT_AUDIENCE", "shop-api");
            env.put("JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json");
            env.put("PUBLIC_IMAGE_BASE_URL", stack.endpoints().s3Endpoint() + "/" + stack.resources().name("ImagesBucket"));
            Env e = Env.of(env);
            var migration = stack.endpoints().migration();
            DataSource ds = Database.pool(new DbConfig(stack.endpoints().jdbcUrl(), java.util.Optional.empty(),
                    migration.user(), migration.password(), 1), AwsConfig.from(e), "bench");
            Migrations.migrate(ds);
            Database.close(ds);

            String serialization = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .filter(p -> p.contains("aws-lambda-java-serialization")).findFirst().orElseThrow();
            String benchClasses = Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
            String classpath = String.join(java.io.File.pathSeparator, jar.toString(), serialization, benchClasses);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

            Template template = Template.load(root.resolve("template.yaml"));
            Map<String, String> eventFor = sampleEvents(root);
            StringBuilder table = new StringBuilder();
            table.append("| function | JVM start to main (ms) | init (ms) | first invoke (ms) | JVM start to first response (ms) |\n");
            table.append("|---|---:|---:|---:|---:|\n");
            for (var fn : template.resourcesOfType("AWS::Serverless::Function").entrySet()) {
                String id = fn.getKey();
                String handler = String.valueOf(Template.map(fn.getValue().get("Properties")).get("Handler"));
                String event = eventFor.get(id);
                if (event == null) {
                    table.append("| ").append(id).append(" | no sample event |||\n");
                    continue;
                }
                List<long[]> samples = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    samples.add(probe(java, classpath, handler.substring(0, handler.indexOf("::")), event, env));
                }
                long[] median = new long[4];
                for (int k = 0; k < 4; k++) {
                    final int col = k;
                    long[] col_ = samples.stream().mapToLong(s -> s[col]).sorted().toArray();
                    median[k] = col_[col_.length / 2];
                }
                table.append("| ").append(id).append(" (").append(Path.of(event).getFileName()).append(") | ")
                        .append(median[0]).append(" | ").append(median[1]).append(" | ").append(median[2])
                        .append(" | ").append(median[3]).append(" |\n");
            }
            System.out.println("### Cold start (" + runs + " fresh JVMs per function, median)\n");
            System.out.println("- Local stack start (MariaDB, 5 Redis, S3Mock, dynalite, provisioning): " + stackMs + " ms");
            System.out.printf("- Deployable jar functions/target/shop-functions.jar: %.1f MiB%n", Files.size(jar) / 1048576.0);
            System.out.println("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                    + ", " + Runtime.getRuntime().availableProcessors() + " cores\n");
            System.out.println(table);
        } finally {
            stack.close();
        }
    }

    private static Map<String, String> sampleEvents(Path root) throws java.io.IOException {
        Map<String, String> preferred = new LinkedHashMap<>();
        preferred.put("HealthFunction", "health-get.json");
        preferred.put("AuthorizerFunction", "authorizer-token.json");
        preferred.put("MigrateFunction", "migrate-create.json");
        preferred.put("CatalogApiFunction", "catalog-get-goods.json");
        preferred.put("UploadsApiFunction", "uploads-get-status.json");
        preferred.put("UploadCompleteFunction", "upload-complete-s3-put.json");
        preferred.put("InventoryApiFunction", "inventory-get-stock.json");
        preferred.put("ReservationSweeperFunction", "reservation-sweeper-scheduled.json");
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(root.resolve("events"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            preferred.forEach((fn, file) -> {
                if (names.contains(file)) {
                    out.put(fn, root.resolve("events").resolve(file).toString());
                }
            });
        }
        return out;
    }

    private static long[] probe(String java, String classpath, String handler, String event, Map<String, String> env)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-cp", classpath, ColdStartProbe.class.getName(), handler, event);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String probeLine = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("PROBE ")) {
                    probeLine = line;
                } else if (output.length() < 4000) {
                    output.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || probeLine == null) {
            p.destroyForcibly();
            throw new IllegalStateException("probe of " + handler + " failed:\n" + output);
        }
        String[] parts = probeLine.split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]),
                Long.parseLong(parts[4])};
    }
}
