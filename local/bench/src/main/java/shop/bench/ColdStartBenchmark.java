package shop.bench;

import java.io.BufferedReader;
import java.io.File;
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
 * spread (min to max) of the total, the stack's start time and the jar's size. Prints a Markdown
 * section for docs/benchmarks.md and the raw samples as CSV on stderr.
 *
 * <p>Given several jars ({@code LABEL=PATH}, e.g. the jar before and after a change), it measures
 * them side by side: each run probes every jar once, in an order rotated from run to run, so that
 * whatever else the machine does at a moment falls on every jar alike; it then reports each jar's
 * medians and the ratio of each to the first.
 *
 * <p>Usage: {@code ./dev bench ColdStartBenchmark [RUNS] [LABEL=JAR]...} (default 5 runs, the
 * project's own jar).
 */
public final class ColdStartBenchmark {
    private ColdStartBenchmark() {
    }

    /** Variant is one jar under test. */
    private record Variant(String label, Path jar) {
    }

    /** main runs the measurement. */
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = ProjectRoot.find();
        List<Variant> variants = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            variants.add(new Variant(kv[0], Path.of(kv[1]).toAbsolutePath()));
        }
        if (variants.isEmpty()) {
            variants.add(new Variant("jar", root.resolve("functions/target/shop-functions.jar")));
        }
        for (Variant v : variants) {
            if (!Files.isRegularFile(v.jar())) {
                throw new IllegalStateException(v.jar() + " does not exist; build the jar first: "
                        + "./mvnw -pl functions -am package -DskipTests");
            }
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
            // What Lambda sets: the level of the advanced logging controls (INFO in the template) and the init type.
            env.put("AWS_LAMBDA_LOG_LEVEL", "INFO");
            env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
            env.put("POWERTOOLS_SERVICE_NAME", "shop-backend");
            env.put("TZ", ":UTC");
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
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

            Template template = Template.load(root.resolve("template.yaml"));
            Map<String, String> eventFor = sampleEvents(root);
            StringBuilder table = new StringBuilder();
            table.append("| function | jar | JVM start to main (ms) | init (ms) | first invoke (ms) | JVM start to first response (ms), median (min to max) |");
            table.append(variants.size() > 1 ? " total vs " + variants.getFirst().label() + " |\n" : "\n");
            table.append("|---|---|---:|---:|---:|---:|").append(variants.size() > 1 ? "---:|\n" : "\n");
            System.err.println("function,jar,run,jvmToMainMs,initMs,firstInvokeMs,totalMs");
            for (var fn : template.resourcesOfType("AWS::Serverless::Function").entrySet()) {
                String id = fn.getKey();
                String handler = String.valueOf(Template.map(fn.getValue().get("Properties")).get("Handler"));
                String event = eventFor.get(id);
                if (event == null) {
                    table.append("| ").append(id).append(" | no sample event |||||\n");
                    continue;
                }
                Map<String, List<long[]>> samples = new java.util.LinkedHashMap<>();
                variants.forEach(v -> samples.put(v.label(), new ArrayList<>()));
                for (int i = 0; i < runs; i++) {
                    for (int k = 0; k < variants.size(); k++) {
                        Variant v = variants.get((i + k) % variants.size()); // rotate the order run by run
                        String classpath = String.join(File.pathSeparator, v.jar().toString(), serialization,
                                benchClasses);
                        long[] sample = probe(java, classpath, handler.substring(0, handler.indexOf("::")), event, env);
                        samples.get(v.label()).add(sample);
                        System.err.println(id + "," + v.label() + "," + i + "," + sample[0] + "," + sample[1] + ","
                                + sample[2] + "," + sample[3]);
                    }
                }
                long firstTotal = 0;
                for (Variant v : variants) {
                    List<long[]> s = samples.get(v.label());
                    long[] median = new long[4];
                    for (int k = 0; k < 4; k++) {
                        final int col = k;
                        long[] column = s.stream().mapToLong(x -> x[col]).sorted().toArray();
                        median[k] = column[column.length / 2];
                    }
                    long min = s.stream().mapToLong(x -> x[3]).min().orElse(0);
                    long max = s.stream().mapToLong(x -> x[3]).max().orElse(0);
                    if (v == variants.getFirst()) {
                        firstTotal = median[3];
                    }
                    table.append("| ").append(id).append(" (").append(Path.of(event).getFileName()).append(") | ")
                            .append(v.label()).append(" | ").append(median[0]).append(" | ").append(median[1])
                            .append(" | ").append(median[2]).append(" | ").append(median[3]).append(" (").append(min)
                            .append(" to ").append(max).append(") |");
                    if (variants.size() > 1) {
                        table.append(String.format(" %.2f |", firstTotal == 0 ? 0 : (double) median[3] / firstTotal));
                    }
                    table.append('\n');
                }
            }
            System.out.println("### Cold start (" + runs + " fresh JVMs per function and jar, median)\n");
            System.out.println("- Local stack start (MariaDB, 5 Redis, S3Mock, dynalite, provisioning): " + stackMs + " ms");
            for (Variant v : variants) {
                System.out.printf("- %s: %s, %.1f MiB%n", v.label(), root.relativize(v.jar()).toString().startsWith("..")
                        ? v.jar() : root.relativize(v.jar()), Files.size(v.jar()) / 1048576.0);
            }
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
        preferred.put("InventoryReconciliationFunction", "inventory-reconciliation-scheduled.json");
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
