package shop.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import shop.inventory.InventoryConfig;
import shop.inventory.InventoryService;
import shop.inventory.JdbcInventoryRepository;
import shop.inventory.NoOpOrderLock;
import shop.inventory.OrderLock;
import shop.inventory.RedLockOrderLock;
import shop.inventory.ReserveRequest;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.platform.error.ProblemException;
import shop.stack.LocalStack;

/**
 * InventoryBenchmark measures reserve throughput on the local stack, side by side in one run:
 * <ol type="a">
 *   <li>{@code course}: the seed's algorithm, reimplemented here only: per item in request order
 *       {@code SELECT ... FOR UPDATE}, stock check, version-checked UPDATE; 3 attempts with a fixed
 *       100 ms sleep; a failed SELECT (a deadlock) is returned as a failure, as in the seed; no detail row;</li>
 *   <li>{@code rowlock}: {@link InventoryService} with row locks only;</li>
 *   <li>{@code redlock}: {@link InventoryService} behind the RedLock on the five Redis nodes;</li>
 *   <li>{@code ceiling}: a bare autocommit {@code UPDATE inventory SET reserved = reserved + ? WHERE goods_id = ?
 *       AND on_hand - reserved >= ?} per item (no atomicity across items, no record: the upper bound).</li>
 * </ol>
 * Workloads: one hot goods; 1,000 goods uniform; orders of 3-5 goods out of 50, in random item order.
 * Every worker has its own connection (and, for redlock, its own Redis clients), like separate Lambda
 * instances. Each cell runs for a fixed time with stock far above what it can sell, then checks the
 * stock against the successes (oversell or lost updates) and counts failures that were not a true
 * shortage. Prints a Markdown section for docs/benchmarks.md.
 *
 * <p>Usage: {@code java -cp ... shop.bench.InventoryBenchmark [secondsPerCell] [workers,...] [variant,...] [workload,...]},
 * default 6, 16,64, course,rowlock,redlock,ceiling and hot,uniform,multi. Each cell also reports the CPU time per
 * order of the database server, the Redis servers and the benchmark JVM (the clients), from /proc.
 */
public final class InventoryBenchmark {
    private static final int STOCK = 100_000_000;
    private static final int UNIFORM_GOODS = 1000;
    private static final int MULTI_GOODS = 50;

    private InventoryBenchmark() {
    }

    enum Variant { COURSE, ROWLOCK, REDLOCK, REDLOCK1, REDLOCK3, PROC, CEILING }

    enum Workload { HOT, UNIFORM, MULTI }

    /** One request: goods ids and units, in the order the client sends them. */
    record Order(long[] goods, int[] num) {
    }

    /** Cell is one measured combination's result. */
    record Cell(Workload workload, int workers, Variant variant, double perSecond, double p50Ms, double p99Ms,
                long spurious, long shortages, long stockMismatch, long detailMismatch, String notes, Cpu cpu) {
    }

    /**
     * Cpu is the CPU time per order of the database server, the Redis servers and the benchmark JVM
     * (the clients), in microseconds, and the part of the clients' time spent in the kernel.
     */
    record Cpu(double dbUs, double redisUs, double clientUs, double clientKernelUs) {
        /** sample reads the CPU time so far of mariadbd, every redis-server, this JVM and its kernel part, in nanoseconds. */
        static long[] sample() {
            long[] t = new long[4];
            ProcessHandle.current().descendants().forEach(p -> {
                String cmd = p.info().command().orElse("");
                long cpu = p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
                if (cmd.endsWith("mariadbd") || cmd.endsWith("mysqld")) {
                    t[0] += cpu;
                } else if (cmd.contains("redis-server")) {
                    t[1] += cpu;
                }
            });
            t[2] = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
            t[3] = kernelNanos();
            return t;
        }

        /** kernelNanos is this process's system time, 0 where /proc cannot tell. */
        private static long kernelNanos() {
            try {
                return ProcCpu.kernelNanos(ProcessHandle.current().pid());
            } catch (java.io.IOException | RuntimeException e) {
                return 0;
            }
        }

        static Cpu perOrder(long[] before, long[] after, long orders) {
            double n = Math.max(1, orders) * 1000.0;
            return new Cpu((after[0] - before[0]) / n, (after[1] - before[1]) / n, (after[2] - before[2]) / n,
                    (after[3] - before[3]) / n);
        }
    }

    /** Worker is one simulated instance: it sends one order and says whether it succeeded. */
    interface Worker extends AutoCloseable {
        /** reserve returns 0 on success, 1 on a reported shortage, 2 on any other failure. */
        int reserve(String orderSn, Order order);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        List<Integer> workerCounts = args.length > 1
                ? java.util.Arrays.stream(args[1].split(",")).map(Integer::parseInt).toList() : List.of(16, 64);
        List<Variant> variants = args.length > 2
                ? java.util.Arrays.stream(args[2].split(",")).map(v -> Variant.valueOf(v.toUpperCase(Locale.ROOT))).toList()
                : List.of(Variant.COURSE, Variant.ROWLOCK, Variant.REDLOCK, Variant.CEILING);
        List<Workload> workloads = args.length > 3
                ? java.util.Arrays.stream(args[3].split(",")).map(v -> Workload.valueOf(v.toUpperCase(Locale.ROOT))).toList()
                : List.of(Workload.values());
        LocalStack stack = LocalStack.start(System.getenv());
        try {
            new InventoryBenchmark.Run(stack, Duration.ofSeconds(seconds), workerCounts, variants, workloads).run();
        } finally {
            stack.close();
        }
        System.exit(0);
    }

    static final class Run {
        private final LocalStack stack;
        private final Duration duration;
        private final List<Integer> workerCounts;
        private final List<Variant> variants;
        private final List<Workload> workloads;
        private final Env env;
        private final HikariDataSource admin;
        private long hot;
        private long[] uniform;
        private long[] multi;

        Run(LocalStack stack, Duration duration, List<Integer> workerCounts, List<Variant> variants, List<Workload> workloads) {
            this.stack = stack;
            this.workloads = workloads;
            this.duration = duration;
            this.workerCounts = workerCounts;
            this.variants = variants;
            Map<String, String> e = new HashMap<>(stack.endpoints().toEnvironment());
            e.put("DB_POOL_SIZE", "1");
            e.put("REDIS_TLS", "false");
            this.env = Env.of(e);
            this.admin = Database.pool(new DbConfig(stack.endpoints().jdbcUrl(), Optional.empty(),
                    stack.endpoints().admin().user(), stack.endpoints().admin().password(), 4), AwsConfig.from(env),
                    "bench-admin");
        }

        void run() throws Exception {
            Migrations.migrate(admin);
            String detect = System.getenv().getOrDefault("BENCH_DEADLOCK_DETECT", "");
            if (!detect.isEmpty()) {
                try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                    s.execute("SET GLOBAL innodb_deadlock_detect = " + ("off".equalsIgnoreCase(detect) ? "OFF" : "ON"));
                }
            }
            makeGoods();
            String server = one("SELECT VERSION()");
            List<Cell> cells = new ArrayList<>();
            // Warm the JIT and the buffer pool on every variant and workload before measuring, so that
            // the first measured cells do not pay for compilation the later ones do not.
            for (Workload w : workloads) {
                for (Variant v : variants) {
                    measure(w, workerCounts.getFirst(), v, Duration.ofSeconds(2));
                }
            }
            for (Workload w : workloads) {
                for (int workers : workerCounts) {
                    for (Variant v : variants) {
                        Cell cell = measure(w, workers, v, duration);
                        cells.add(cell);
                        System.err.printf(Locale.ROOT, "%-8s %3d %-8s %9.0f/s p50 %6.2f ms p99 %7.2f ms spurious %d mismatch %d"
                                        + " cpu/order db %.0f redis %.0f client %.0f (kernel %.0f) us %s%n",
                                w, workers, v, cell.perSecond(), cell.p50Ms(), cell.p99Ms(), cell.spurious(),
                                cell.stockMismatch(), cell.cpu().dbUs(), cell.cpu().redisUs(), cell.cpu().clientUs(), cell.cpu().clientKernelUs(),
                                cell.notes());
                    }
                }
            }
            System.out.println(markdown(cells, server));
            admin.close();
        }

        private void makeGoods() throws SQLException {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET FOREIGN_KEY_CHECKS = 0");
                for (String t : List.of("stock_sell_detail", "stock_movement", "inventory", "goods", "brand", "category")) {
                    s.execute("DELETE FROM " + t);
                }
                s.execute("SET FOREIGN_KEY_CHECKS = 1");
                s.execute("INSERT INTO category (id, name, level) VALUES (1, 'bench', 1)");
                s.execute("INSERT INTO brand (id, name) VALUES (1, 'bench')");
                StringBuilder sql = new StringBuilder("INSERT INTO goods (id, category_id, brand_id, name, goods_sn,"
                        + " shop_price, images, desc_images) VALUES ");
                int total = 1 + UNIFORM_GOODS + MULTI_GOODS;
                for (int i = 1; i <= total; i++) {
                    sql.append(i == 1 ? "" : ",").append("(").append(i).append(",1,1,'g").append(i).append("','sn")
                            .append(i).append("',100,'[]','[]')");
                }
                s.execute(sql.toString());
                s.execute("INSERT INTO inventory (goods_id, on_hand) SELECT id, " + STOCK + " FROM goods");
            }
            hot = 1;
            uniform = new long[UNIFORM_GOODS];
            for (int i = 0; i < UNIFORM_GOODS; i++) {
                uniform[i] = 2 + i;
            }
            multi = new long[MULTI_GOODS];
            for (int i = 0; i < MULTI_GOODS; i++) {
                multi[i] = 2 + UNIFORM_GOODS + i;
            }
        }

        private Order nextOrder(Workload w, ThreadLocalRandom r) {
            return switch (w) {
                case HOT -> new Order(new long[] {hot}, new int[] {1});
                case UNIFORM -> new Order(new long[] {uniform[r.nextInt(uniform.length)]}, new int[] {1});
                case MULTI -> {
                    int n = 3 + r.nextInt(3);
                    long[] ids = new long[n];
                    int[] num = new int[n];
                    java.util.Set<Long> seen = new java.util.HashSet<>();
                    for (int i = 0; i < n; i++) {
                        long id;
                        do {
                            id = multi[r.nextInt(multi.length)];
                        } while (!seen.add(id));
                        ids[i] = id;
                        num[i] = 1 + r.nextInt(2);
                    }
                    yield new Order(ids, num);
                }
            };
        }

        private Cell measure(Workload w, int workers, Variant v, Duration length) throws Exception {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE TABLE stock_sell_detail");
                s.execute("TRUNCATE TABLE stock_movement");
                s.execute("UPDATE inventory SET on_hand = " + STOCK + ", reserved = 0, version = 0");
                // The ledger's opening record per goods, so that the product's cells reconcile.
                s.execute("INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, caller)"
                        + " SELECT goods_id, 'OPENING', UTC_TIMESTAMP(3), on_hand, 0, 'bench' FROM inventory");
            }
            List<Worker> pool = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                pool.add(worker(v));
            }
            long[] goodsIds = w == Workload.HOT ? new long[] {hot} : w == Workload.UNIFORM ? uniform : multi;
            Map<Long, Integer> index = new HashMap<>();
            for (int i = 0; i < goodsIds.length; i++) {
                index.put(goodsIds[i], i);
            }
            AtomicLongArray sold = new AtomicLongArray(goodsIds.length);
            AtomicLong ok = new AtomicLong();
            AtomicLong shortages = new AtomicLong();
            AtomicLong spurious = new AtomicLong();
            Histogram all = new Histogram(60_000_000L, 3);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            long[] window = new long[2];
            String prefix = w.name().charAt(0) + "" + workers + v.name().charAt(0) + System.nanoTime() % 100000 + "-";
            for (int t = 0; t < workers; t++) {
                Worker worker = pool.get(t);
                int id = t;
                Thread thread = Thread.ofPlatform().name("bench-" + t).start(() -> {
                    Histogram h = new Histogram(60_000_000L, 3);
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long end = window[1];
                    long seq = 0;
                    while (System.nanoTime() < end) {
                        Order order = nextOrder(w, r);
                        long t0 = System.nanoTime();
                        int outcome = worker.reserve(prefix + id + "-" + seq++, order);
                        h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                        switch (outcome) {
                            case 0 -> {
                                ok.incrementAndGet();
                                for (int i = 0; i < order.goods().length; i++) {
                                    sold.addAndGet(index.get(order.goods()[i]), order.num()[i]);
                                }
                            }
                            case 1 -> shortages.incrementAndGet();
                            default -> spurious.incrementAndGet();
                        }
                    }
                    synchronized (all) {
                        all.add(h);
                    }
                });
                threads.add(thread);
            }
            long[] cpuBefore = Cpu.sample();
            window[0] = System.nanoTime();
            window[1] = window[0] + length.toNanos();
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            long[] cpuAfter = Cpu.sample();
            double elapsed = (System.nanoTime() - window[0]) / 1e9;
            long retries = pool.stream().mapToLong(wk -> wk instanceof ServiceWorker sw ? sw.service.metrics().retries() : 0).sum();
            String lockNotes = lockNotes(pool, ok.get() + shortages.get() + spurious.get());
            pool.forEach(Worker::close);
            // Stock must equal initial minus what was reported sold: less is oversell, more a lost update.
            long mismatch = 0;
            try (Connection c = admin.getConnection(); PreparedStatement p = c.prepareStatement(
                    "SELECT on_hand - reserved FROM inventory WHERE goods_id = ?")) {
                for (int i = 0; i < goodsIds.length; i++) {
                    p.setLong(1, goodsIds[i]);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) != STOCK - sold.get(i)) {
                            mismatch++;
                        }
                    }
                }
            }
            long details = Long.parseLong(one("SELECT COUNT(*) FROM stock_sell_detail"));
            long detailMismatch = (v == Variant.ROWLOCK || v == Variant.REDLOCK || v == Variant.REDLOCK1 || v == Variant.REDLOCK3)
                    ? Math.abs(details - ok.get()) : 0;
            return new Cell(w, workers, v, ok.get() / elapsed, all.getValueAtPercentile(50) / 1000.0,
                    all.getValueAtPercentile(99) / 1000.0, spurious.get(), shortages.get(), mismatch, detailMismatch,
                    "retries " + retries + lockNotes, Cpu.perOrder(cpuBefore, cpuAfter, ok.get() + shortages.get() + spurious.get()));
        }

        /** lockNotes sums the RedLock counters of the workers: attempts, split votes, wake-ups and poll timeouts per order. */
        private static String lockNotes(List<Worker> pool, long orders) {
            long attempts = 0;
            long splits = 0;
            long wakeups = 0;
            long polls = 0;
            boolean any = false;
            for (Worker wk : pool) {
                if (wk instanceof ServiceWorker sw && sw.lock.metrics().isPresent()) {
                    var m = sw.lock.metrics().get();
                    attempts += m.attempts();
                    splits += m.splitVotes();
                    wakeups += m.wakeups();
                    polls += m.pollTimeouts();
                    any = true;
                }
            }
            if (!any) {
                return "";
            }
            double n = Math.max(1, orders);
            return String.format(Locale.ROOT, "; per order: lock attempts %.2f, split votes %.2f, wake-ups %.2f, poll timeouts %.2f",
                    attempts / n, splits / n, wakeups / n, polls / n);
        }

        private String one(String sql) throws SQLException {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }

        private HikariDataSource pool(String url, String name) {
            return pool(url, name, List.of());
        }

        private HikariDataSource pool(String url, String name, List<String> sessionSettings) {
            return Database.pool(new DbConfig(url, Optional.empty(), stack.endpoints().dbUser(),
                    stack.endpoints().dbPassword(), 1), AwsConfig.from(env), name, sessionSettings);
        }

        private Worker worker(Variant v) {
            String url = stack.endpoints().jdbcUrl();
            return switch (v) {
                case CEILING -> new CeilingWorker(pool(url, "bench-ceiling"));
                case PROC -> new ProcWorker(pool(url, "bench-proc"));
                case COURSE -> new CourseWorker(pool(url, "bench-course"));
                case ROWLOCK, REDLOCK, REDLOCK1, REDLOCK3 -> {
                    HikariDataSource ds = pool(JdbcInventoryRepository.jdbcUrl(url), "bench-" + v,
                            JdbcInventoryRepository.SESSION_SETTINGS);
                    List<String> nodes = v == Variant.REDLOCK3 ? stack.endpoints().redisNodes().subList(0, 3)
                            : stack.endpoints().redisNodes();
                    OrderLock lock = v == Variant.ROWLOCK ? new NoOpOrderLock()
                            : RedLockOrderLock.connect(nodes, false, RedLockOrderLock.CONFIG,
                                    v == Variant.REDLOCK1 ? 1 : RedLockOrderLock.SLOTS);
                    yield new ServiceWorker(new InventoryService(new JdbcInventoryRepository(ds), lock,
                            InventoryConfig.QuorumLoss.PROCEED), ds, lock);
                }
            };
        }
    }

    /** ServiceWorker is one instance of the product's reserve path (rowlock or redlock). */
    static final class ServiceWorker implements Worker {
        private final InventoryService service;
        private final HikariDataSource ds;
        private final OrderLock lock;

        ServiceWorker(InventoryService service, HikariDataSource ds, OrderLock lock) {
            this.service = service;
            this.ds = ds;
            this.lock = lock;
        }

        @Override
        public int reserve(String orderSn, Order order) {
            List<ReserveRequest.Item> items = new ArrayList<>(order.goods().length);
            for (int i = 0; i < order.goods().length; i++) {
                items.add(new ReserveRequest.Item(order.goods()[i], order.num()[i]));
            }
            try {
                service.reserve(new ReserveRequest(orderSn, items, null), "bench");
                return 0;
            } catch (ProblemException e) {
                return e.type().endsWith("insufficient-stock") ? 1 : 2;
            } catch (RuntimeException e) {
                return 2;
            }
        }

        @Override
        public void close() {
            lock.close();
            ds.close();
        }
    }

    /** ProcWorker sends the reserve statement (the detail INSERT whose trigger deducts) straight over JDBC, to split the service's own cost from the database's. */
    static final class ProcWorker implements Worker {
        private final HikariDataSource ds;

        ProcWorker(HikariDataSource ds) {
            this.ds = ds;
        }

        @Override
        public int reserve(String orderSn, Order order) {
            StringBuilder json = new StringBuilder("[");
            // Ascending goods id, as the service stores them, each with its own units.
            Integer[] byId = new Integer[order.goods().length];
            for (int i = 0; i < byId.length; i++) {
                byId[i] = i;
            }
            java.util.Arrays.sort(byId, java.util.Comparator.comparingLong(i -> order.goods()[i]));
            for (int k = 0; k < byId.length; k++) {
                int i = byId[k];
                json.append(k == 0 ? "" : ",").append("{\"goodsId\":").append(order.goods()[i])
                        .append(",\"num\":").append(order.num()[i]).append("}");
            }
            try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                    "INSERT INTO stock_sell_detail (order_sn, status, items, expires_at) VALUES (?, 'RESERVED', ?, ?)")) {
                p.setString(1, orderSn);
                p.setString(2, json.append("]").toString());
                p.setObject(3, java.time.LocalDateTime.now().plusMinutes(15));
                p.executeUpdate();
                return 0;
            } catch (SQLException e) {
                return 2;
            }
        }

        @Override
        public void close() {
            ds.close();
        }
    }

    /** CeilingWorker is the bare conditional UPDATE in autocommit, one per item. */
    static final class CeilingWorker implements Worker {
        private final HikariDataSource ds;

        CeilingWorker(HikariDataSource ds) {
            this.ds = ds;
        }

        @Override
        public int reserve(String orderSn, Order order) {
            try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                    "UPDATE inventory SET reserved = reserved + ? WHERE goods_id = ? AND on_hand - reserved >= ?")) {
                int result = 0;
                for (int i = 0; i < order.goods().length; i++) {
                    p.setInt(1, order.num()[i]);
                    p.setLong(2, order.goods()[i]);
                    p.setInt(3, order.num()[i]);
                    if (p.executeUpdate() != 1) {
                        result = 1;
                    }
                }
                return result;
            } catch (SQLException e) {
                return 2;
            }
        }

        @Override
        public void close() {
            ds.close();
        }
    }

    /**
     * CourseWorker is the seed's Sell, reimplemented for comparison only: per item in request order
     * SELECT FOR UPDATE, check, version-checked UPDATE; a failed UPDATE retries the whole transaction
     * after a fixed 100 ms, 3 attempts; a failed SELECT (deadlock, lock wait timeout) is a failure.
     * Prepared statements are server-side and cached, which is kinder than GORM's defaults.
     */
    static final class CourseWorker implements Worker {
        private final HikariDataSource ds;

        CourseWorker(HikariDataSource ds) {
            this.ds = ds;
        }

        @Override
        public int reserve(String orderSn, Order order) {
            try (Connection c = ds.getConnection()) {
                for (int attempt = 0; attempt < 3; attempt++) {
                    try (Statement s = c.createStatement()) {
                        s.execute("START TRANSACTION");
                    }
                    boolean success = true;
                    for (int i = 0; i < order.goods().length; i++) {
                        long stock;
                        long reserved;
                        long version;
                        try (PreparedStatement p = c.prepareStatement("SELECT goods_id, on_hand - reserved, version,"
                                + " reserved FROM inventory WHERE goods_id = ? ORDER BY goods_id LIMIT 1 FOR UPDATE")) {
                            p.setLong(1, order.goods()[i]);
                            try (ResultSet rs = p.executeQuery()) {
                                if (!rs.next()) {
                                    rollback(c);
                                    return 2;
                                }
                                stock = rs.getLong(2);
                                version = rs.getLong(3);
                                reserved = rs.getLong(4);
                            }
                        } catch (SQLException e) {
                            rollback(c);
                            return 2; // the seed returns "query failed" to the caller
                        }
                        if (stock < order.num()[i]) {
                            rollback(c);
                            return 1;
                        }
                        try (PreparedStatement p = c.prepareStatement(
                                "UPDATE inventory SET reserved = ?, version = ? WHERE goods_id = ? AND version = ?")) {
                            p.setLong(1, reserved + order.num()[i]);
                            p.setLong(2, version + 1);
                            p.setLong(3, order.goods()[i]);
                            p.setLong(4, version);
                            if (p.executeUpdate() == 0) {
                                rollback(c);
                                success = false;
                                break;
                            }
                        } catch (SQLException e) {
                            rollback(c);
                            success = false;
                            break;
                        }
                    }
                    if (success) {
                        try (Statement s = c.createStatement()) {
                            s.execute("COMMIT");
                            return 0;
                        } catch (SQLException e) {
                            return 2;
                        }
                    }
                    if (attempt < 2) {
                        Thread.sleep(100);
                    }
                }
                return 2;
            } catch (SQLException e) {
                return 2;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 2;
            }
        }

        private static void rollback(Connection c) {
            try (Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
            } catch (SQLException ignored) {
                // The connection is gone; the pool replaces it.
            }
        }

        @Override
        public void close() {
            ds.close();
        }
    }

    static String markdown(List<Cell> cells, String server) {
        Map<String, Cell> ceiling = new LinkedHashMap<>();
        for (Cell c : cells) {
            if (c.variant() == Variant.CEILING) {
                ceiling.put(c.workload() + "/" + c.workers(), c);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Server: ").append(server).append("; ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs visible to the JVM.\n\n");
        sb.append("| workload | workers | variant | orders/s | vs ceiling | p50 ms | p99 ms | spurious failures | oversell / lost updates"
                + " | CPU us/order: db / redis / client |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Cell c : cells) {
            Cell top = ceiling.get(c.workload() + "/" + c.workers());
            String ratio = top == null || top.perSecond() == 0 ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * c.perSecond() / top.perSecond());
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %s | %.2f | %.2f | %d | %d | %.0f / %.0f / %.0f |%n",
                    c.workload().name().toLowerCase(Locale.ROOT), c.workers(), c.variant().name().toLowerCase(Locale.ROOT),
                    c.perSecond(), ratio, c.p50Ms(), c.p99Ms(), c.spurious(), c.stockMismatch() + c.detailMismatch(),
                    c.cpu().dbUs(), c.cpu().redisUs(), c.cpu().clientUs()));
        }
        return sb.toString();
    }
}
