package shop.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
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
import shop.lock.SlotGate;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.platform.error.ProblemException;
import shop.stack.LocalStack;

/**
 * InventoryBenchmark measures reservations on the local stack, the variants side by side:
 * <ol type="a">
 *   <li>{@code course}: the seed's algorithm, reimplemented here only: per item in request order
 *       {@code SELECT ... FOR UPDATE}, stock check, version-checked UPDATE; 3 attempts with a fixed
 *       100 ms sleep; a failed SELECT (a deadlock) is returned as a failure, as in the seed; no detail row;</li>
 *   <li>{@code rowlock}: {@link InventoryService} with row locks only;</li>
 *   <li>{@code redlock}: {@link InventoryService} behind {@link RedLockOrderLock} on the five Redis nodes
 *       (REDLOCK_SLOTS and REDLOCK_HOT_AFTER from the environment, else the defaults);
 *       {@code redlock0} locks every order (hot-after 0), {@code redlock1} has one slot per goods,
 *       {@code redlock3} runs on the first three nodes;</li>
 *   <li>{@code ceiling}: one autocommit statement per order, all or nothing, no record: the bare
 *       conditional {@code UPDATE inventory SET reserved = reserved + ? WHERE goods_id = ? AND
 *       on_hand - reserved >= ?} for one goods, and for several a single-table
 *       {@code UPDATE ... CASE ... ORDER BY goods_id} that {@code CHECK (reserved <= on_hand)} fails as a
 *       whole when any item is short (rows locked in ascending id, as the service does).</li>
 * </ol>
 * Workloads: one unit of one hot goods; one unit of a random one of 1,000 goods; 3 to 5 distinct goods
 * of 50, 1 or 2 units each, in random item order; and two <em>sell-out</em> workloads, {@code hotsell}
 * (the hot order on a goods with 5,000 units) and {@code multisell} (orders of 3 to 5 distinct goods of 8
 * with 600 units each, 1 or 2 units per item), which run until the stock is gone (at most 60 s) instead
 * of for a fixed time. Every worker is its own instance: its own connection and, for redlock, its own
 * Redis clients and lock.
 *
 * <p>Checks, every one able to fail: after a throughput cell (stock far above what it can sell) each
 * goods' stock must be its initial units minus the units reported sold, and the service variants'
 * detail rows must number the successes. An order shed with 503 goods-busy (redlock with
 * LOCK_ON_CONTENTION=fail, the default: it waited its time for a slot) is counted apart, not as a
 * failure; the checks prove it wrote nothing. A sell-out cell is exact: no failure but a shortage, units
 * sold per goods equal to what left its stock, every goods at 0 or, for multi, fewer than three goods
 * with a unit left (no order could take more), and the detail rows equal to the successes. After every
 * cell of the service variants, the ledger must reconcile: each goods' onHand and reserved equal what
 * its records say ({@link InventoryService#reconcile()}, as {@code ./dev reconcile} does).
 *
 * <p>Each cell runs {@code repeats} times, the variants' order rotated from one repeat to the next;
 * the Markdown shows medians and min-max, ratios taken within each repeat. Every cell and repeat is a
 * line of a CSV under {@code docs/bench-results/} with the commit and the load average. A sampler
 * reads how many row locks the server's transactions wait for ({@code Innodb_row_lock_current_waits})
 * every 10 ms; the peak is reported per cell.
 *
 * <p>Usage: {@code ./dev bench InventoryBenchmark [seconds] [workers,...] [variant,...] [workload,...] [repeats]},
 * default 5, 16,64, course,rowlock,redlock,ceiling, hot,uniform,multi,hotsell,multisell and 3.
 */
public final class InventoryBenchmark {
    private static final int STOCK = 100_000_000;
    private static final int HOT_SELLOUT_UNITS = 5_000;
    private static final int MULTI_SELLOUT_UNITS = 600;
    private static final int MULTI_SELLOUT_GOODS = 8;
    private static final Duration SELLOUT_CAP = Duration.ofSeconds(60);
    private static final int UNIFORM_GOODS = 1000;
    private static final int MULTI_GOODS = 50;
    private static final int MULTI_MIN_ITEMS = 3;

    private InventoryBenchmark() {
    }

    enum Variant { COURSE, ROWLOCK, REDLOCK, REDLOCK0, REDLOCK1, REDLOCK3, PROC, CEILING;

        boolean service() {
            return this == ROWLOCK || this == REDLOCK || this == REDLOCK0 || this == REDLOCK1 || this == REDLOCK3;
        }

        boolean redlock() {
            return service() && this != ROWLOCK;
        }
    }

    enum Workload { HOT, UNIFORM, MULTI, HOTSELL, MULTISELL;

        boolean sellout() {
            return this == HOTSELL || this == MULTISELL;
        }

        boolean multi() {
            return this == MULTI || this == MULTISELL;
        }
    }

    /** One request: goods ids and units, in the order the client sends them. */
    record Order(long[] goods, int[] num) {
    }

    /**
     * Cell is one measured combination in one repeat. check is "ok" or what failed; lockWaits the peak of
     * transactions in lock wait seen by the sampler; redisCalls and lockHeld are per order (redlock).
     */
    record Cell(int repeat, int position, Workload workload, int workers, Variant variant, double perSecond,
                double p50Ms, double p99Ms, long successes, long shortages, long spurious, long shed, String check,
                int lockWaits, int samples, double redisCalls, double lockHeld, long leasesLost, Cpu cpu,
                double load1, String notes) {
    }

    /**
     * Cpu is the CPU time per order of the database server, the Redis servers and the benchmark JVM
     * (the clients), in microseconds, and the part of the clients' time spent in the kernel.
     */
    record Cpu(double dbUs, double redisUs, double clientUs, double clientKernelUs, double dbSwitches,
               double redisSwitches, double clientSwitches) {
        /**
         * sample reads the CPU time so far of mariadbd, every redis-server, this JVM and its kernel part, in
         * nanoseconds, then the context switches of the database's and Redis' threads.
         */
        static long[] sample() {
            long[] t = new long[6];
            ProcessHandle.current().descendants().forEach(p -> {
                String cmd = p.info().command().orElse("");
                long cpu = p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
                if (cmd.endsWith("mariadbd") || cmd.endsWith("mysqld")) {
                    t[0] += cpu;
                    t[4] += ProcCpu.contextSwitches(p.pid());
                } else if (cmd.contains("redis-server")) {
                    t[1] += cpu;
                    t[5] += ProcCpu.contextSwitches(p.pid());
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
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        /** perOrder divides by the orders; the clients' switches are the worker threads' own, counted by each. */
        static Cpu perOrder(long[] before, long[] after, long orders, long workerSwitches) {
            double n = Math.max(1, orders) * 1000.0;
            double o = Math.max(1, orders);
            return new Cpu((after[0] - before[0]) / n, (after[1] - before[1]) / n, (after[2] - before[2]) / n,
                    (after[3] - before[3]) / n, (after[4] - before[4]) / o, (after[5] - before[5]) / o,
                    workerSwitches / o);
        }
    }

    /** Worker is one simulated instance: it sends one order and says whether it succeeded. */
    interface Worker extends AutoCloseable {
        /**
         * reserve returns 0 on success, 1 on a reported shortage, 3 when the order was shed (503 goods-busy:
         * it waited its time for a slot of a hot goods; nothing was written), 2 on any other failure.
         */
        int reserve(String orderSn, Order order);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Integer> workerCounts = args.length > 1
                ? Arrays.stream(args[1].split(",")).map(Integer::parseInt).toList() : List.of(16, 64);
        List<Variant> variants = args.length > 2
                ? Arrays.stream(args[2].split(",")).map(v -> Variant.valueOf(v.toUpperCase(Locale.ROOT))).toList()
                : List.of(Variant.COURSE, Variant.ROWLOCK, Variant.REDLOCK, Variant.CEILING);
        List<Workload> workloads = args.length > 3
                ? Arrays.stream(args[3].split(",")).map(v -> Workload.valueOf(v.toUpperCase(Locale.ROOT))).toList()
                : List.of(Workload.values());
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        LocalStack stack = LocalStack.start(System.getenv());
        boolean failed;
        try {
            failed = new InventoryBenchmark.Run(stack, Duration.ofSeconds(seconds), workerCounts, variants, workloads,
                    repeats, String.join(" ", args)).run();
        } finally {
            stack.close();
        }
        System.exit(failed ? 1 : 0);
    }

    static final class Run {
        private final LocalStack stack;
        private final Duration duration;
        private final List<Integer> workerCounts;
        private final List<Variant> variants;
        private final List<Workload> workloads;
        private final int repeats;
        private final String command;
        private final Env env;
        private final HikariDataSource admin;
        private final int slots;
        private final int hotAfter;
        private final InventoryConfig.Contention contention;
        private long hot;
        private long[] uniform;
        private long[] multi;

        Run(LocalStack stack, Duration duration, List<Integer> workerCounts, List<Variant> variants,
            List<Workload> workloads, int repeats, String command) {
            this.stack = stack;
            this.workloads = workloads;
            this.duration = duration;
            this.workerCounts = workerCounts;
            this.variants = variants;
            this.repeats = repeats;
            this.command = command;
            Map<String, String> e = new HashMap<>(stack.endpoints().toEnvironment());
            e.put("DB_POOL_SIZE", "1");
            e.put("REDIS_TLS", "false");
            this.env = Env.of(e);
            this.admin = Database.pool(new DbConfig(stack.endpoints().jdbcUrl(), Optional.empty(),
                    stack.endpoints().admin().user(), stack.endpoints().admin().password(), 4), AwsConfig.from(env),
                    "bench-admin");
            this.slots = Integer.parseInt(System.getenv().getOrDefault("REDLOCK_SLOTS", "" + RedLockOrderLock.SLOTS));
            this.hotAfter = Integer.parseInt(System.getenv().getOrDefault("REDLOCK_HOT_AFTER", "" + RedLockOrderLock.HOT_AFTER));
            this.contention = InventoryConfig.Contention.valueOf(System.getenv().getOrDefault("LOCK_ON_CONTENTION", "fail")
                    .toUpperCase(Locale.ROOT));
        }

        /** run measures every cell, writes the CSV, prints the Markdown; true if any check failed. */
        boolean run() throws Exception {
            Migrations.migrate(admin);
            String detect = System.getenv().getOrDefault("BENCH_DEADLOCK_DETECT", "");
            if (!detect.isEmpty()) {
                try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                    s.execute("SET GLOBAL innodb_deadlock_detect = " + ("off".equalsIgnoreCase(detect) ? "OFF" : "ON"));
                }
            }
            makeGoods();
            String server = one("SELECT VERSION()");
            String commit = commit();
            String started = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC)
                    .format(Instant.now());
            Path csv = resultsDir().resolve("inventory-" + started + "-" + commit.replace("+", "-") + ".csv");
            Files.createDirectories(csv.getParent());
            Files.writeString(csv, Csv.HEADER + "\n");
            System.err.printf(Locale.ROOT, "InventoryBenchmark %s at %s, commit %s, REDLOCK_SLOTS %d, REDLOCK_HOT_AFTER %d,"
                    + " LOCK_ON_CONTENTION %s; raw results: %s%n", command, started, commit, slots, hotAfter, contention, csv);
            // Warm the JIT and the buffer pool on every variant and workload before measuring, so that
            // the first measured cells do not pay for compilation the later ones do not.
            for (Workload w : workloads) {
                for (Variant v : variants) {
                    measure(-1, 0, w, workerCounts.getFirst(), v, Duration.ofSeconds(2));
                }
            }
            List<Cell> cells = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                for (Workload w : workloads) {
                    for (int workers : workerCounts) {
                        for (int k = 0; k < variants.size(); k++) {
                            Variant v = variants.get((k + r) % variants.size());
                            Cell cell = measure(r, k, w, workers, v, duration);
                            cells.add(cell);
                            Files.writeString(csv, Csv.line(started, commit, cell) + "\n",
                                    java.nio.file.StandardOpenOption.APPEND);
                            System.err.printf(Locale.ROOT, "#%d %-9s %3d %-8s %8.0f/s p50 %7.2f p99 %8.2f ms ok %d short %d"
                                            + " spurious %d shed %d check %s lock waits %d redis calls %.2f held %.2f lost %d"
                                            + " cpu db %.0f redis %.0f client %.0f us switches db %.1f redis %.1f client %.1f load %.1f %s%n",
                                    r, w, workers, v, cell.perSecond(), cell.p50Ms(), cell.p99Ms(), cell.successes(),
                                    cell.shortages(), cell.spurious(), cell.shed(), cell.check(), cell.lockWaits(), cell.redisCalls(),
                                    cell.lockHeld(), cell.leasesLost(), cell.cpu().dbUs(), cell.cpu().redisUs(),
                                    cell.cpu().clientUs(), cell.cpu().dbSwitches(), cell.cpu().redisSwitches(),
                                    cell.cpu().clientSwitches(), cell.load1(), cell.notes());
                        }
                    }
                }
            }
            System.out.println(Report.markdown(cells, server, commit, started, csv, slots, hotAfter, contention));
            admin.close();
            return cells.stream().anyMatch(c -> !c.check().equals("ok"));
        }

        private void makeGoods() throws SQLException {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET FOREIGN_KEY_CHECKS = 0");
                for (String t : List.of("stock_sell_detail", "stock_movement", "stock_balance",
                        "stock_balance_cursor", "inventory", "goods", "brand", "category")) {
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

        private long[] goodsOf(Workload w) {
            return switch (w) {
                case HOT, HOTSELL -> new long[] {hot};
                case UNIFORM -> uniform;
                case MULTI -> multi;
                case MULTISELL -> Arrays.copyOf(multi, MULTI_SELLOUT_GOODS);
            };
        }

        private int initialUnits(Workload w) {
            return switch (w) {
                case HOTSELL -> HOT_SELLOUT_UNITS;
                case MULTISELL -> MULTI_SELLOUT_UNITS;
                default -> STOCK;
            };
        }

        private Order nextOrder(Workload w, ThreadLocalRandom r) {
            return switch (w) {
                case HOT, HOTSELL -> new Order(new long[] {hot}, new int[] {1});
                case UNIFORM -> new Order(new long[] {uniform[r.nextInt(uniform.length)]}, new int[] {1});
                case MULTI, MULTISELL -> {
                    int n = MULTI_MIN_ITEMS + r.nextInt(3);
                    int pool = w == Workload.MULTI ? multi.length : MULTI_SELLOUT_GOODS;
                    long[] ids = new long[n];
                    int[] num = new int[n];
                    java.util.Set<Long> seen = new java.util.HashSet<>();
                    for (int i = 0; i < n; i++) {
                        long id;
                        do {
                            id = multi[r.nextInt(pool)];
                        } while (!seen.add(id));
                        ids[i] = id;
                        num[i] = 1 + r.nextInt(2);
                    }
                    yield new Order(ids, num);
                }
            };
        }

        private Cell measure(int repeat, int position, Workload w, int workers, Variant v, Duration length)
                throws Exception {
            long[] goodsIds = goodsOf(w);
            int initial = initialUnits(w);
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE TABLE stock_sell_detail");
                s.execute("TRUNCATE TABLE stock_movement");
                // The reconciliation's running balance goes with the ledger it summed.
                s.execute("TRUNCATE TABLE stock_balance");
                s.execute("TRUNCATE TABLE stock_balance_cursor");
                s.execute("UPDATE inventory SET on_hand = " + STOCK + ", reserved = 0, version = 0");
                if (w.sellout()) {
                    s.execute("UPDATE inventory SET on_hand = " + initial + " WHERE goods_id IN ("
                            + Arrays.stream(goodsIds).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(","))
                            + ")");
                }
                // The ledger's opening record per goods, so that the product's cells reconcile.
                s.execute("INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, caller)"
                        + " SELECT goods_id, 'OPENING', UTC_TIMESTAMP(3), on_hand, 0, 'bench' FROM inventory");
            }
            List<Worker> pool = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                pool.add(worker(v));
            }
            Map<Long, Integer> index = new HashMap<>();
            for (int i = 0; i < goodsIds.length; i++) {
                index.put(goodsIds[i], i);
            }
            AtomicLongArray sold = new AtomicLongArray(goodsIds.length);
            AtomicLong ok = new AtomicLong();
            AtomicLong shortages = new AtomicLong();
            AtomicLong spurious = new AtomicLong();
            AtomicLong shed = new AtomicLong();
            AtomicLong lastSuccess = new AtomicLong();
            AtomicLong workerSwitches = new AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean soldOut = new java.util.concurrent.atomic.AtomicBoolean();
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
                    long switches = ProcCpu.threadContextSwitches();
                    while (System.nanoTime() < end && !soldOut.get()) {
                        Order order = nextOrder(w, r);
                        long t0 = System.nanoTime();
                        int outcome = worker.reserve(prefix + id + "-" + seq++, order);
                        long t1 = System.nanoTime();
                        h.recordValue(Math.max(1, (t1 - t0) / 1000));
                        switch (outcome) {
                            case 0 -> {
                                ok.incrementAndGet();
                                lastSuccess.accumulateAndGet(t1, Math::max);
                                for (int i = 0; i < order.goods().length; i++) {
                                    sold.addAndGet(index.get(order.goods()[i]), order.num()[i]);
                                }
                            }
                            case 1 -> shortages.incrementAndGet();
                            case 3 -> shed.incrementAndGet();
                            default -> spurious.incrementAndGet();
                        }
                    }
                    workerSwitches.addAndGet(ProcCpu.threadContextSwitches() - switches);
                    synchronized (all) {
                        all.add(h);
                    }
                });
                threads.add(thread);
            }
            double load1 = load1();
            long calls0 = redisCalls(pool);
            long[] cpuBefore = Cpu.sample();
            // The administrator: the application user cannot read the server's status.
            LockWaits waits = new LockWaits(stack.endpoints().jdbcUrl(), stack.endpoints().admin().user(),
                    stack.endpoints().admin().password());
            window[0] = System.nanoTime();
            window[1] = window[0] + (w.sellout() ? SELLOUT_CAP : length).toNanos();
            start.countDown();
            if (w.sellout()) {
                awaitSoldOut(goodsIds, soldOut, window[1]);
            }
            for (Thread t : threads) {
                t.join();
            }
            long stopped = System.nanoTime();
            waits.close();
            long[] cpuAfter = Cpu.sample();
            long orders = ok.get() + shortages.get() + spurious.get() + shed.get();
            double calls = (redisCalls(pool) - calls0) / (double) Math.max(1, orders);
            long retries = pool.stream().mapToLong(wk -> wk instanceof ServiceWorker sw ? sw.service.metrics().retries() : 0).sum();
            double held = 0;
            long lost = 0;
            long nodeErrors = 0;
            long queued = 0;
            long acquired = 0;
            long extended = 0;
            for (Worker wk : pool) {
                if (wk instanceof ServiceWorker sw && sw.lock instanceof RedLockOrderLock rl) {
                    var g = rl.gateMetrics().orElseThrow();
                    held += g.slotted();
                    lost += g.lost();
                    nodeErrors += g.nodeErrors() + rl.lock().metrics().snapshot().nodeErrors();
                    queued += g.queued();
                    acquired += g.acquired();
                    extended += g.extended();
                }
            }
            pool.forEach(Worker::close);
            String check = check(w, v, goodsIds, initial, sold, ok.get(), spurious.get());
            // A sell-out cell's rate is its successes over the time it took to sell them.
            double seconds = w.sellout() && lastSuccess.get() > 0 ? (lastSuccess.get() - window[0]) / 1e9
                    : (stopped - window[0]) / 1e9;
            return new Cell(repeat, position, w, workers, v, ok.get() / seconds, all.getValueAtPercentile(50) / 1000.0,
                    all.getValueAtPercentile(99) / 1000.0, ok.get(), shortages.get(), spurious.get(), shed.get(), check,
                    waits.peak(), waits.samples(), calls, held / Math.max(1, orders), lost,
                    Cpu.perOrder(cpuBefore, cpuAfter, orders, workerSwitches.get()), load1,
                    "retries " + retries + (w.sellout() ? String.format(Locale.ROOT, "; sold out in %.0f ms", seconds * 1000) : "")
                            + (v.redlock() ? String.format(Locale.ROOT, "; queued %d, leases acquired %d, extended %d,"
                            + " node errors %d", queued, acquired, extended, nodeErrors) : ""));
        }

        /**
         * awaitSoldOut polls the stock every 20 ms until no order of the workload could take more (the
         * hot goods at 0; fewer than three goods with a unit left) or the deadline, then stops the workers.
         */
        private void awaitSoldOut(long[] goodsIds, java.util.concurrent.atomic.AtomicBoolean soldOut, long deadline)
                throws SQLException, InterruptedException {
            String ids = Arrays.stream(goodsIds).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(","));
            int enough = goodsIds.length == 1 ? 1 : MULTI_MIN_ITEMS;
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                while (System.nanoTime() - deadline < 0) {
                    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM inventory WHERE goods_id IN (" + ids
                            + ") AND on_hand - reserved >= 1")) {
                        rs.next();
                        if (rs.getInt(1) < enough) {
                            break;
                        }
                    }
                    Thread.sleep(20);
                }
            }
            soldOut.set(true);
        }

        /**
         * check says "ok" or what failed: every failure a shortage where stock can run out (and none
         * where it cannot), each goods' stock its initial units minus what was reported sold, the detail
         * rows as many as the successes, and a sell-out cell ended where no order could take more.
         */
        private String check(Workload w, Variant v, long[] goodsIds, int initial, AtomicLongArray sold, long ok,
                             long spurious) throws SQLException {
            List<String> failures = new ArrayList<>();
            if (spurious > 0 && v != Variant.COURSE) {
                failures.add(spurious + " failures that were not a shortage");
            }
            long[] left = new long[goodsIds.length];
            long mismatched = 0;
            try (Connection c = admin.getConnection(); PreparedStatement p = c.prepareStatement(
                    "SELECT on_hand - reserved FROM inventory WHERE goods_id = ?")) {
                for (int i = 0; i < goodsIds.length; i++) {
                    p.setLong(1, goodsIds[i]);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        left[i] = rs.getLong(1);
                        if (left[i] != initial - sold.get(i)) {
                            mismatched++;
                        }
                    }
                }
            }
            if (mismatched > 0) {
                failures.add(mismatched + " goods whose stock is not its units minus those sold (oversell or lost update)");
            }
            if (v.service()) {
                long details = Long.parseLong(one("SELECT COUNT(*) FROM stock_sell_detail"));
                if (details != ok) {
                    failures.add(details + " detail rows for " + ok + " successes");
                }
                var reconciliation = new InventoryService(new JdbcInventoryRepository(admin), new NoOpOrderLock(),
                        InventoryConfig.QuorumLoss.PROCEED).reconcile();
                if (!reconciliation.mismatches().isEmpty()) {
                    failures.add(reconciliation.mismatches().size() + " goods whose onHand and reserved do not reconcile"
                            + " with their records, e.g. " + reconciliation.mismatches().getFirst());
                }
            }
            if (w == Workload.HOTSELL && left[0] != 0) {
                failures.add("the hot goods ended at " + left[0] + ", not 0");
            }
            if (w == Workload.MULTISELL) {
                long withUnits = Arrays.stream(left).filter(n -> n >= 1).count();
                long negative = Arrays.stream(left).filter(n -> n < 0).count();
                if (negative > 0 || withUnits >= MULTI_MIN_ITEMS) {
                    failures.add(withUnits + " goods left with units (an order could still take some), " + negative
                            + " below 0");
                }
            }
            if (w.sellout()) {
                long units = 0;
                for (int i = 0; i < goodsIds.length; i++) {
                    units += sold.get(i);
                }
                long leftUnits = Arrays.stream(left).sum();
                if (units != (long) initial * goodsIds.length - leftUnits) {
                    failures.add(units + " units sold of " + (long) initial * goodsIds.length + ", " + leftUnits + " left");
                }
            }
            return failures.isEmpty() ? "ok" : "FAILED: " + String.join("; ", failures);
        }

        private String one(String sql) throws SQLException {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }

        private static long redisCalls(List<Worker> pool) {
            long n = 0;
            for (Worker wk : pool) {
                if (wk instanceof ServiceWorker sw && sw.lock instanceof RedLockOrderLock rl) {
                    n += rl.calls();
                }
            }
            return n;
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
                case ROWLOCK, REDLOCK, REDLOCK0, REDLOCK1, REDLOCK3 -> {
                    HikariDataSource ds = pool(JdbcInventoryRepository.jdbcUrl(url), "bench-" + v,
                            JdbcInventoryRepository.SESSION_SETTINGS);
                    List<String> nodes = v == Variant.REDLOCK3 ? stack.endpoints().redisNodes().subList(0, 3)
                            : stack.endpoints().redisNodes();
                    SlotGate.Config gate = switch (v) {
                        case REDLOCK0 -> SlotGate.Config.of(slots, 0);
                        case REDLOCK1 -> SlotGate.Config.of(1, hotAfter);
                        default -> SlotGate.Config.of(slots, hotAfter);
                    };
                    OrderLock lock = v == Variant.ROWLOCK ? new NoOpOrderLock()
                            : RedLockOrderLock.connect(nodes, false, RedLockOrderLock.CONFIG, gate);
                    yield new ServiceWorker(new InventoryService(new JdbcInventoryRepository(ds), lock,
                            InventoryConfig.QuorumLoss.PROCEED, contention), ds, lock);
                }
            };
        }

        private static double load1() {
            try {
                return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        private static Path root() {
            return Path.of(System.getProperty("shop.root", "."));
        }

        private static Path resultsDir() {
            return root().resolve("docs/bench-results");
        }

        /** commit is the checked-out commit, with "+dirty" when the work tree has changes. */
        private static String commit() {
            try {
                String head = git("rev-parse", "--short", "HEAD").strip();
                String status = git("status", "--porcelain", "--untracked-files=no").strip();
                return head + (status.isEmpty() ? "" : "+dirty");
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        private static String git(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("git", "-C", root().toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new IOException("git " + String.join(" ", args) + ": " + out);
                }
                return out;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    /**
     * LockWaits samples, every 10 ms on a connection of its own, how many row locks the server's
     * transactions are waiting for ({@code Innodb_row_lock_current_waits}), and keeps the peak. In the
     * hot cells every such wait is on the hot goods' row. (InnoDB's {@code information_schema} lock
     * tables come from a cache that MariaDB 11.4 left empty here while 250 transactions waited.)
     */
    static final class LockWaits implements AutoCloseable {
        private final Thread thread;
        private final AtomicInteger peak = new AtomicInteger();
        private final AtomicInteger samples = new AtomicInteger();
        private volatile boolean running = true;

        LockWaits(String url, String user, String password) throws SQLException {
            Connection c = java.sql.DriverManager.getConnection(url, user, password);
            thread = Thread.ofPlatform().name("lock-waits").daemon().start(() -> {
                try (c; Statement s = c.createStatement()) {
                    while (running) {
                        try (ResultSet rs = s.executeQuery("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                                + " WHERE VARIABLE_NAME = 'INNODB_ROW_LOCK_CURRENT_WAITS'")) {
                            rs.next();
                            peak.accumulateAndGet(rs.getInt(1), Math::max);
                            samples.incrementAndGet();
                        }
                        Thread.sleep(10);
                    }
                } catch (SQLException | InterruptedException e) {
                    System.err.println("lock wait sampler stopped: " + e);
                }
            });
        }

        int peak() {
            return peak.get();
        }

        int samples() {
            return samples.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    /** Csv is the raw results' format: one line per cell and repeat. */
    static final class Csv {
        static final String HEADER = "run,commit,repeat,position,workload,workers,variant,orders_per_s,p50_ms,p99_ms,"
                + "successes,shortages,spurious,shed,check,peak_lock_waits,lock_wait_samples,redis_calls_per_order,"
                + "slots_held_per_order,leases_lost,db_us_per_order,redis_us_per_order,client_us_per_order,"
                + "client_kernel_us_per_order,db_switches_per_order,redis_switches_per_order,client_switches_per_order,"
                + "load1,notes";

        static String line(String run, String commit, Cell c) {
            return String.join(",", run, commit, "" + c.repeat(), "" + c.position(),
                    c.workload().name().toLowerCase(Locale.ROOT), "" + c.workers(), c.variant().name().toLowerCase(Locale.ROOT),
                    f(c.perSecond(), 1), f(c.p50Ms(), 3), f(c.p99Ms(), 3), "" + c.successes(), "" + c.shortages(),
                    "" + c.spurious(), "" + c.shed(), quote(c.check()), "" + c.lockWaits(), "" + c.samples(), f(c.redisCalls(), 3),
                    f(c.lockHeld(), 3), "" + c.leasesLost(), f(c.cpu().dbUs(), 1), f(c.cpu().redisUs(), 1),
                    f(c.cpu().clientUs(), 1), f(c.cpu().clientKernelUs(), 1), f(c.cpu().dbSwitches(), 2),
                    f(c.cpu().redisSwitches(), 2), f(c.cpu().clientSwitches(), 2), f(c.load1(), 2), quote(c.notes()));
        }

        private static String f(double d, int decimals) {
            return String.format(Locale.ROOT, "%." + decimals + "f", d);
        }

        private static String quote(String s) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
    }

    /** Report turns the cells of all repeats into the Markdown of docs/benchmarks.md. */
    static final class Report {
        private Report() {
        }

        static String markdown(List<Cell> cells, String server, String commit, String started, Path csv, int slots,
                               int hotAfter, InventoryConfig.Contention contention) {
            Map<String, List<Cell>> byCell = new LinkedHashMap<>();
            for (Cell c : cells) {
                byCell.computeIfAbsent(c.workload() + "/" + c.workers() + "/" + c.variant(), k -> new ArrayList<>()).add(c);
            }
            int repeats = (int) cells.stream().mapToInt(Cell::repeat).distinct().count();
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "Run %s, commit %s, %s, %d CPUs; %d repeats, variants rotated;"
                            + " REDLOCK_SLOTS %d, REDLOCK_HOT_AFTER %d, LOCK_ON_CONTENTION %s; load average (1 min) %.1f-%.1f;"
                            + " raw: %s%n%n",
                    started, commit, server, Runtime.getRuntime().availableProcessors(), repeats, slots, hotAfter,
                    contention.name().toLowerCase(Locale.ROOT),
                    cells.stream().mapToDouble(Cell::load1).min().orElse(0), cells.stream().mapToDouble(Cell::load1).max().orElse(0),
                    csv.getFileName()));
            sb.append("| workload | instances | variant | orders/s | vs ceiling | vs rowlock | p99 ms | vs rowlock p99"
                    + " | peak lock waits | shed | Redis calls / order | CPU us/order: db / redis / client | checks |\n");
            sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (var e : byCell.entrySet()) {
                List<Cell> cs = e.getValue();
                Cell first = cs.getFirst();
                List<Double> rate = cs.stream().map(Cell::perSecond).toList();
                List<Double> p99 = cs.stream().map(Cell::p99Ms).toList();
                sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %d | %s | %s | %.0f / %.0f / %.0f | %s |%n",
                        first.workload().name().toLowerCase(Locale.ROOT), first.workers(),
                        first.variant().name().toLowerCase(Locale.ROOT),
                        spread(rate, "%.0f"),
                        ratio(cells, first, Variant.CEILING, Cell::perSecond, true),
                        first.variant() == Variant.ROWLOCK ? "" : ratio(cells, first, Variant.ROWLOCK, Cell::perSecond, true),
                        spread(p99, "%.1f"),
                        first.variant() == Variant.ROWLOCK ? "" : ratio(cells, first, Variant.ROWLOCK, Cell::p99Ms, false),
                        cs.stream().mapToInt(Cell::lockWaits).max().orElse(0),
                        cs.stream().mapToLong(Cell::shed).sum() == 0 ? "" : cs.stream().mapToLong(Cell::shed).sum() + "",
                        first.variant().redlock() ? String.format(Locale.ROOT, "%.2f", median(cs.stream().map(Cell::redisCalls).toList())) : "",
                        median(cs.stream().map(c -> c.cpu().dbUs()).toList()),
                        median(cs.stream().map(c -> c.cpu().redisUs()).toList()),
                        median(cs.stream().map(c -> c.cpu().clientUs()).toList()),
                        checks(cs)));
            }
            return sb.toString();
        }

        private static String checks(List<Cell> cs) {
            long failed = cs.stream().filter(c -> !c.check().equals("ok")).count();
            long lost = cs.stream().mapToLong(Cell::leasesLost).sum();
            String s = failed == 0 ? "ok x" + cs.size() : "**" + failed + " FAILED**: " + cs.stream()
                    .filter(c -> !c.check().equals("ok")).findFirst().map(Cell::check).orElse("");
            return lost == 0 ? s : s + "; " + lost + " leases lost";
        }

        /**
         * ratio is the median and range of this cell's value over the base variant's, repeat by repeat,
         * as a percentage or, for latencies, a factor.
         */
        private static String ratio(List<Cell> cells, Cell of, Variant base, java.util.function.ToDoubleFunction<Cell> value,
                                    boolean percent) {
            List<Double> ratios = new ArrayList<>();
            for (Cell c : cells) {
                if (c.workload() != of.workload() || c.workers() != of.workers() || c.variant() != of.variant()) {
                    continue;
                }
                cells.stream().filter(b -> b.repeat() == c.repeat() && b.workload() == c.workload()
                                && b.workers() == c.workers() && b.variant() == base).findFirst()
                        .filter(b -> value.applyAsDouble(b) > 0)
                        .ifPresent(b -> ratios.add(value.applyAsDouble(c) / value.applyAsDouble(b)));
            }
            if (ratios.isEmpty()) {
                return "";
            }
            return percent ? spread(ratios.stream().map(r -> r * 100).toList(), "%.0f%%") : spread(ratios, "%.2fx");
        }

        private static String spread(List<Double> values, String format) {
            if (values.size() == 1) {
                return String.format(Locale.ROOT, format, values.getFirst());
            }
            double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            return String.format(Locale.ROOT, format + " (" + format + "-" + format + ")", median(values), min, max);
        }

        static double median(List<Double> values) {
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (v.length == 0) {
                return 0;
            }
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
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
                return e.type().endsWith("insufficient-stock") ? 1 : e.type().endsWith("goods-busy") ? 3 : 2;
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

    /**
     * CeilingWorker is one autocommit statement per order, all or nothing, with no record: for one goods
     * the conditional {@code UPDATE ... AND on_hand - reserved >= ?}; for several a single-table UPDATE of
     * every item with its units in a CASE, rows locked in ascending goods id ({@code ORDER BY}), which
     * {@code CHECK (reserved <= on_hand)} fails as a whole when any item is short.
     */
    static final class CeilingWorker implements Worker {
        private final HikariDataSource ds;

        CeilingWorker(HikariDataSource ds) {
            this.ds = ds;
        }

        @Override
        public int reserve(String orderSn, Order order) {
            try (Connection c = ds.getConnection()) {
                if (order.goods().length == 1) {
                    try (PreparedStatement p = c.prepareStatement(
                            "UPDATE inventory SET reserved = reserved + ? WHERE goods_id = ? AND on_hand - reserved >= ?")) {
                        p.setInt(1, order.num()[0]);
                        p.setLong(2, order.goods()[0]);
                        p.setInt(3, order.num()[0]);
                        return p.executeUpdate() == 1 ? 0 : 1;
                    }
                }
                Integer[] byId = new Integer[order.goods().length];
                for (int i = 0; i < byId.length; i++) {
                    byId[i] = i;
                }
                Arrays.sort(byId, java.util.Comparator.comparingLong(i -> order.goods()[i]));
                StringBuilder sql = new StringBuilder("UPDATE inventory SET reserved = reserved + CASE goods_id");
                sql.append(" WHEN ? THEN ?".repeat(byId.length)).append(" END WHERE goods_id IN (")
                        .append("?,".repeat(byId.length - 1)).append("?) ORDER BY goods_id");
                try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                    int k = 1;
                    for (int i : byId) {
                        p.setLong(k++, order.goods()[i]);
                        p.setInt(k++, order.num()[i]);
                    }
                    for (int i : byId) {
                        p.setLong(k++, order.goods()[i]);
                    }
                    return p.executeUpdate() == byId.length ? 0 : 2;
                } catch (SQLException e) {
                    // ck_inventory_reserved: MariaDB 4025, MySQL 3819. Nothing was reserved.
                    return e.getErrorCode() == 4025 || e.getErrorCode() == 3819 ? 1 : 2;
                }
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

}
