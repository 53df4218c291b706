package shop.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import shop.catalog.CatalogApiHandler;
import shop.catalog.GoodsWordIndex;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.LocalStack;

/**
 * CatalogBenchmark measures GET /goods through {@link CatalogApiHandler} in-process at 10k, 100k
 * and 1M goods, for the typical filters, and prints a Markdown table of p50/p99 latencies. It starts
 * the local stack, and for each size a database of its own (migrated, bulk-loaded with multi-row
 * INSERTs; the smaller sizes hold the first goods of the larger), then measures the sizes side by
 * side: one call per size in turn, so that the shared machine's load falls on every size alike.
 * Every shape is measured REPEATS times (default 3), the sizes' order rotated from one repeat to the
 * next; the table shows the median of the repeats with their range, and the p99 ratio is taken
 * within each repeat. Every answer must be 200, or the run fails. The raw results (one line per shape,
 * size and repeat, with the commit and the load average) go to docs/bench-results/catalog-*.csv.
 * Not a test: run it by hand and copy the table into docs/benchmarks.md.
 *
 * <p>Run: {@code ./mvnw -q -B -pl local/bench -am install -DskipTests && java -cp ... shop.bench.CatalogBenchmark}
 * (see docs/benchmarks.md for the exact command). Arguments: sizes, default {@code 10000,100000,1000000};
 * repeats, default 3.
 */
public final class CatalogBenchmark {
    private static final String[] ADJECTIVES = ("wireless vintage classic smart organic deluxe compact portable premium "
            + "rustic modern ergonomic heavy light silent rapid golden silver bamboo steel cotton linen leather "
            + "ceramic glass wooden waterproof foldable digital analog solar electric manual mini mega ultra "
            + "eco royal urban arctic").split(" ");
    private static final String[] NOUNS = ("phone speaker kettle jacket lamp tea watch chair table desk sofa mug "
            + "bottle backpack camera charger cable keyboard mouse monitor router blender toaster pan pot knife "
            + "spoon fork plate bowl towel pillow blanket mattress shoe sock shirt dress scarf glove hat belt wallet "
            + "umbrella tent stove lantern bike helmet ball racket glasses ring").split(" ");
    private static final int TOPS = 5;
    private static final int MIDS = 4;
    private static final int LEAVES = 5;
    private static final int BRANDS = 200;
    private static final int WARMUP = 300;
    private static final int SAMPLES = 2_000;

    private CatalogBenchmark() {
    }

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "10000,100000,1000000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        int repeats = args.length > 1 ? Integer.parseInt(args[1].trim()) : 3;
        LocalStack stack = LocalStack.start(System.getenv());
        try {
            run(stack, sizes, repeats);
            // BENCH_HOLD_SECONDS keeps the stack and its databases up after the run, for EXPLAIN by hand.
            long hold = Long.parseLong(System.getenv().getOrDefault("BENCH_HOLD_SECONDS", "0"));
            if (hold > 0) {
                System.err.println("holding " + stack.endpoints().jdbcUrl() + " for " + hold + " s");
                Thread.sleep(java.time.Duration.ofSeconds(hold));
            }
        } finally {
            stack.close();
        }
    }

    private static void run(LocalStack stack, List<Integer> sizes, int repeats) throws Exception {
        String baseUrl = stack.endpoints().jdbcUrl();
        List<HikariDataSource> pools = new ArrayList<>();
        Map<Integer, CatalogApiHandler> handlers = new LinkedHashMap<>();
        Map<Integer, Double> loadSeconds = new LinkedHashMap<>();
        long[] ids = null;
        try {
            for (int size : sizes) {
                // One database per size, so that the sizes can be measured side by side, call by call.
                String db = "shop_" + size;
                exec(stack, baseUrl, "CREATE DATABASE IF NOT EXISTS " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
                String url = baseUrl.replace("/" + "shop?", "/" + db + "?");
                Map<String, String> envVars = new HashMap<>(stack.endpoints().toEnvironment());
                envVars.put("DB_URL", url);
                // The bench databases are its own: the administrator does everything there.
                envVars.put("DB_USER", stack.endpoints().admin().user());
                envVars.put("DB_PASSWORD", stack.endpoints().admin().password());
                envVars.put("DB_POOL_SIZE", "2");
                envVars.put("IDEMPOTENCY_TABLE", stack.resources().name("IdempotencyTable"));
                Env env = Env.of(envVars);
                HikariDataSource ds = Database.pool(new DbConfig(url, Optional.empty(), stack.endpoints().admin().user(),
                        stack.endpoints().admin().password(), 2), AwsConfig.from(env), "bench-load-" + size);
                pools.add(ds);
                Migrations.migrate(ds);
                // The embedded server starts with 256 MB; give it room for 1.1M goods and their indexes.
                exec(ds, "SET GLOBAL innodb_buffer_pool_size = 2147483648");
                ids = catalog(ds);
                long t0 = System.nanoTime();
                loadGoods(ds, 0, size, ids);
                exec(ds, "ANALYZE TABLE goods");
                loadSeconds.put(size, (System.nanoTime() - t0) / 1e9);
                System.err.printf("loaded %,d goods in %.1f s%n", size, loadSeconds.get(size));
                handlers.put(size, new CatalogApiHandler(env));
            }
            System.err.println("load average before measuring: " + loadAverage());
            String started = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()
                    .replace(":", "-");
            String commit = commit();
            Path csv = Path.of(System.getProperty("shop.root", ".")).resolve("docs/bench-results")
                    .resolve("catalog-" + started + "-" + commit.replace("+", "-") + ".csv");
            Files.createDirectories(csv.getParent());
            Files.writeString(csv, "started,commit,repeat,shape,size,p50_us,p99_us,load1\n");
            // shape -> size -> one {p50, p99} per repeat
            Map<String, Map<Integer, List<long[]>>> results = new LinkedHashMap<>();
            for (int r = 0; r < repeats; r++) {
                // The sizes' order turns by one each repeat: no size is always measured first.
                List<Integer> order = new ArrayList<>(sizes);
                java.util.Collections.rotate(order, -r);
                Map<Integer, CatalogApiHandler> rotated = new LinkedHashMap<>();
                order.forEach(size -> rotated.put(size, handlers.get(size)));
                for (var q : queries(ids).entrySet()) {
                    Map<Integer, long[]> p = measure(rotated, q.getValue());
                    String load = loadAverage();
                    StringBuilder line = new StringBuilder("  repeat %d %-30s".formatted(r + 1, q.getKey()));
                    for (int size : sizes) {
                        long[] v = p.get(size);
                        results.computeIfAbsent(q.getKey(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(size, k -> new ArrayList<>()).add(v);
                        line.append("  %,d: p50 %.2f p99 %.2f".formatted(size, v[0] / 1000.0, v[1] / 1000.0));
                        Files.writeString(csv, "%s,%s,%d,\"%s\",%d,%d,%d,%s%n".formatted(started, commit, r + 1, q.getKey(),
                                size, v[0], v[1], load.split(" ")[0]), java.nio.file.StandardOpenOption.APPEND);
                    }
                    System.err.println(line + "  (load " + load + ")");
                }
            }
            print(sizes, results, loadSeconds, repeats, started, commit, csv);
            System.out.println("Load average at the end (1, 5, 15 min): " + loadAverage());
        } finally {
            pools.forEach(HikariDataSource::close);
        }
    }

    /** catalog creates the category tree and brands; returns [first leaf id, first top id, first brand id]. */
    private static long[] catalog(HikariDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET FOREIGN_KEY_CHECKS = 0");
            for (String t : List.of("banner", "goods_category_brand", "inventory", "goods", "category", "brand")) {
                s.execute("TRUNCATE TABLE " + t);
            }
            // TRUNCATE fires no trigger: empty the goods counters (V203, V206) too, where the schema has them.
            for (String counters : List.of("goods_count", "goods_brand_price_count")) {
                boolean exists;
                try (ResultSet rs = s.executeQuery("SHOW TABLES LIKE '" + counters + "'")) {
                    exists = rs.next();
                }
                if (exists) {
                    s.execute("TRUNCATE TABLE " + counters);
                }
            }
            s.execute("SET FOREIGN_KEY_CHECKS = 1");
            for (int t = 0; t < TOPS; t++) {
                s.execute("INSERT INTO category (name, parent_id, level, is_tab) VALUES ('Top " + t + "', NULL, 1, " + (t < 2) + ")");
                long top = lastId(s);
                for (int m = 0; m < MIDS; m++) {
                    s.execute("INSERT INTO category (name, parent_id, level) VALUES ('Mid " + t + m + "', " + top + ", 2)");
                    long mid = lastId(s);
                    for (int l = 0; l < LEAVES; l++) {
                        s.execute("INSERT INTO category (name, parent_id, level) VALUES ('Leaf " + t + m + l + "', " + mid + ", 3)");
                    }
                }
            }
            for (int b = 0; b < BRANDS; b++) {
                s.execute("INSERT INTO brand (name, logo) VALUES ('Brand " + b + "', '')");
            }
            long firstLeaf;
            try (ResultSet rs = s.executeQuery("SELECT MIN(id) FROM category WHERE level = 3")) {
                rs.next();
                firstLeaf = rs.getLong(1);
            }
            long firstTop;
            try (ResultSet rs = s.executeQuery("SELECT MIN(id) FROM category WHERE level = 1")) {
                rs.next();
                firstTop = rs.getLong(1);
            }
            long firstBrand;
            try (ResultSet rs = s.executeQuery("SELECT MIN(id) FROM brand")) {
                rs.next();
                firstBrand = rs.getLong(1);
            }
            return new long[] {firstLeaf, firstTop, firstBrand};
        }
    }

    private static long lastId(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT LAST_INSERT_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /**
     * loadGoods inserts goods number from+1..to in multi-row INSERTs of 2,000 rows, with their
     * category path (category_l1_id, category_l2_id: what JdbcGoodsRepository computes on insert) and,
     * in the same transaction, the word index of their names (GoodsWordIndex, as the repository does).
     * The goods counters (goods_count, V203; goods_brand_price_count, V206) follow through their
     * triggers, as for any other write.
     */
    private static void loadGoods(HikariDataSource ds, int from, int to, long[] ids) throws SQLException {
        SplittableRandom random = new SplittableRandom(from);
        int leaves = TOPS * MIDS * LEAVES;
        Map<Long, String> path = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT c.id, CASE c.level WHEN 1 THEN c.id WHEN 2 THEN c.parent_id ELSE p.parent_id END,
                            CASE c.level WHEN 2 THEN c.id WHEN 3 THEN c.parent_id END
                     FROM category c LEFT JOIN category p ON p.id = c.parent_id""")) {
            while (rs.next()) {
                path.put(rs.getLong(1), rs.getLong(2) + "," + (rs.getObject(3) == null ? "NULL" : rs.getLong(3)));
            }
        }
        boolean hasPath; // false on a schema before V202 (to measure the code before it)
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW COLUMNS FROM goods LIKE 'category_l1_id'")) {
            hasPath = rs.next();
        }
        boolean hasWords; // false on a schema before V204 (FULLTEXT search, nothing to fill)
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW TABLES LIKE 'goods_word'")) {
            hasWords = rs.next();
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET SESSION unique_checks = 0");
            s.execute("SET SESSION foreign_key_checks = 0");
            c.setAutoCommit(false); // each batch of goods and its word index entries in one transaction, as the repository writes them
            int batch = 2_000;
            for (int start = from; start < to; start += batch) {
                List<String> names = new ArrayList<>(batch);
                StringBuilder sql = new StringBuilder(batch * 160).append("""
                        INSERT INTO goods (name, goods_sn, category_id, brand_id, market_price, shop_price, goods_brief,
                                           is_hot, is_new, on_sale, ship_free, images, desc_images, click_num
                        """).append(hasPath ? ", category_l1_id, category_l2_id) VALUES " : ") VALUES ");
                for (int n = start; n < Math.min(to, start + batch); n++) {
                    long price = 100 + random.nextLong(500_000);
                    long category; // drawn where it always was, so that the data stays the same as before
                    if (n > start) {
                        sql.append(',');
                    }
                    String name = ADJECTIVES[random.nextInt(ADJECTIVES.length)] + ' ' + NOUNS[random.nextInt(NOUNS.length)]
                            + ' ' + ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " model " + n;
                    names.add(name);
                    sql.append("('").append(name).append("','BENCH-").append(n).append("',")
                            .append(category = ids[0] + random.nextInt(leaves)).append(',').append(ids[2] + random.nextInt(BRANDS)).append(',')
                            .append(price + price / 5).append(',').append(price).append(",'',")
                            .append(random.nextInt(10) == 0).append(',').append(random.nextInt(10) == 0).append(',')
                            .append(random.nextInt(10) < 7).append(',').append(random.nextBoolean()).append(",'[]','[]',")
                            .append(random.nextInt(1000)).append(hasPath ? "," + path.get(category) : "").append(')');
                }
                s.execute(sql.toString());
                if (hasWords) { // the ids of a multi-row INSERT are consecutive from LAST_INSERT_ID()
                    long first;
                    try (ResultSet rs = s.executeQuery("SELECT LAST_INSERT_ID()")) {
                        rs.next();
                        first = rs.getLong(1);
                    }
                    Map<Long, String> byId = new LinkedHashMap<>();
                    for (int i = 0; i < names.size(); i++) {
                        byId.put(first + i, names.get(i));
                    }
                    GoodsWordIndex.apply(c, GoodsWordIndex.add(byId));
                }
                c.commit();
            }
            c.setAutoCommit(true);
        }
    }

    /** queries are the typical GET /goods shapes; each draws its parameters per call from a fixed seed. */
    private static Map<String, IntFunction<Map<String, String>>> queries(long[] ids) {
        Map<String, IntFunction<Map<String, String>>> q = new LinkedHashMap<>();
        q.put("no filter, page 1", i -> Map.of());
        q.put("topCategory (level 1)", i -> Map.of("topCategory", Long.toString(ids[1] + (i % TOPS) * (1 + MIDS + MIDS * LEAVES))));
        q.put("brand + priceMin/priceMax", i -> Map.of("brand", Long.toString(ids[2] + (i * 7) % BRANDS),
                "priceMin", Long.toString(10_000 + (i % 10) * 20_000), "priceMax", Long.toString(60_000 + (i % 10) * 20_000)));
        // The band above holds about 5 goods of a brand at 10k (50 goods per brand, 10% of the prices)
        // and 500 at 1M, so its 10k page is a quarter of the 1M one. This band (60% of the prices)
        // fills the page at every size (about 30 goods at 10k, 3,000 at 1M): the same answer size.
        // Its ends are not round prices, so that both end buckets of the brand counters (V206) are
        // cut and their goods counted (a round price such as 10,000 starts a bucket).
        q.put("brand + wide price band (full page)", i -> Map.of("brand", Long.toString(ids[2] + (i * 7) % BRANDS),
                "priceMin", Long.toString(12_345 + (i % 5) * 20_000), "priceMax", Long.toString(312_345 + (i % 5) * 20_000)));
        q.put("isHot + onSale", i -> Map.of("isHot", "true", "onSale", "true", "page", Integer.toString(1 + i % 5)));
        q.put("keywords (two words)", i -> Map.of("keywords", ADJECTIVES[i % ADJECTIVES.length] + " " + NOUNS[(i * 3) % NOUNS.length]));
        // A rare word: the model number's first digits, as a customer types a model (prefix match):
        // about 1 goods at 10k, 11 at 100k, 111 at 1M. The two-word shape above is the pessimistic one:
        // with 102 words in all, each word matches 2-5% of every catalogue size.
        q.put("keywords (model number)", i -> Map.of("keywords", Integer.toString(1000 + (i * 37) % 9000)));
        q.put("deep page (page 500 of 20)", i -> Map.of("page", "500", "pageSize", "20"));
        return q;
    }

    /**
     * measure returns p50 and p99 in microseconds of one query shape at each size: WARMUP calls per
     * size first, then SAMPLES rounds of one call per size, so that whatever else the machine does
     * at that moment falls on every size alike.
     */
    private static Map<Integer, long[]> measure(Map<Integer, CatalogApiHandler> handlers,
                                                IntFunction<Map<String, String>> params) {
        Map<Integer, Histogram> histograms = new LinkedHashMap<>();
        handlers.keySet().forEach(size -> histograms.put(size, new Histogram(60_000_000L, 3)));
        for (int i = 0; i < WARMUP; i++) {
            for (CatalogApiHandler handler : handlers.values()) {
                call(handler, params.apply(i));
            }
        }
        for (int i = WARMUP; i < WARMUP + SAMPLES; i++) {
            for (var h : handlers.entrySet()) {
                histograms.get(h.getKey()).recordValue(Math.max(1, call(h.getValue(), params.apply(i))));
            }
        }
        Map<Integer, long[]> out = new LinkedHashMap<>();
        histograms.forEach((size, h) -> out.put(size, new long[] {h.getValueAtPercentile(50), h.getValueAtPercentile(99)}));
        return out;
    }

    /** call sends one GET /goods and returns its latency in microseconds. */
    private static long call(CatalogApiHandler handler, Map<String, String> query) {
        APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                .withResource("/goods").withPath("/goods").withQueryStringParameters(query);
        long t0 = System.nanoTime();
        APIGatewayProxyResponseEvent out = handler.handleRequest(event, null);
        long micros = (System.nanoTime() - t0) / 1_000;
        if (out.getStatusCode() != 200) {
            throw new IllegalStateException("GET /goods " + query + " answered " + out.getStatusCode() + ": " + out.getBody());
        }
        return micros;
    }

    private static void print(List<Integer> sizes, Map<String, Map<Integer, List<long[]>>> results, Map<Integer, Double> load,
                              int repeats, String started, String commit, Path csv) {
        StringBuilder out = new StringBuilder("\nRun %s, commit %s; %d repeats, sizes rotated; median (min-max) of the repeats; raw: %s%n"
                .formatted(started, commit, repeats, csv.getFileName()));
        out.append("\n| GET /goods | ");
        for (int size : sizes) {
            out.append("%,d p50 | %,d p99 | ".formatted(size, size));
        }
        out.append("p99 ratio ").append("%,d / %,d |\n|---|".formatted(sizes.getLast(), sizes.getFirst()));
        out.append("---:|".repeat(sizes.size() * 2 + 1)).append('\n');
        for (var r : results.entrySet()) {
            out.append("| ").append(r.getKey()).append(" | ");
            for (int size : sizes) {
                List<long[]> runs = r.getValue().get(size);
                long[] p50 = runs.stream().mapToLong(v -> v[0]).sorted().toArray();
                long[] p99 = runs.stream().mapToLong(v -> v[1]).sorted().toArray();
                out.append("%.2f ms | %.2f ms (%.2f-%.2f) | ".formatted(p50[p50.length / 2] / 1000.0, p99[p99.length / 2] / 1000.0,
                        p99[0] / 1000.0, p99[p99.length - 1] / 1000.0));
            }
            // The ratio within each repeat: the two sizes were measured call by call, side by side.
            double[] ratios = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                ratios[i] = (double) r.getValue().get(sizes.getLast()).get(i)[1] / r.getValue().get(sizes.getFirst()).get(i)[1];
            }
            java.util.Arrays.sort(ratios);
            out.append("%.2fx (%.2fx-%.2fx) |\n".formatted(ratios[repeats / 2], ratios[0], ratios[repeats - 1]));
        }
        out.append("\nLoad time (multi-row INSERTs, one database per size): ");
        load.forEach((size, secs) -> out.append("%,d in %.0f s; ".formatted(size, secs)));
        out.append('\n');
        System.out.println(out);
    }

    /** commit is the checked-out commit, with "+dirty" when tracked files have changes. */
    private static String commit() {
        try {
            String root = System.getProperty("shop.root", ".");
            String head = git(root, "rev-parse", "--short", "HEAD");
            return head + (git(root, "status", "--porcelain", "--untracked-files=no").isEmpty() ? "" : "+dirty");
        } catch (java.io.IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private static String git(String root, String... args) throws java.io.IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", root));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new java.io.IOException(out);
        }
        return out;
    }

    private static void exec(LocalStack stack, String url, String sql) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(url, stack.endpoints().admin().user(),
                stack.endpoints().admin().password());
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void exec(HikariDataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            System.err.println("warning: " + sql + " failed: " + e.getMessage());
        }
    }
}
