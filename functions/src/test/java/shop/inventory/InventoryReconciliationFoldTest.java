package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shop.inventory.InventoryFixture.count;
import static shop.inventory.InventoryFixture.newGoods;
import static shop.inventory.InventoryFixture.setStock;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.platform.deadline.Deadline;
import shop.stack.StackEndpoints;
import shop.testing.TestStack;

/**
 * The reconciliation's running balance (V304): records seen at least 10 minutes ago are folded into
 * {@code stock_balance} and the check sums only the records above the fold. Each test compares every
 * run's answer with the full-history check the fold replaced (the statement before V304, run here on
 * the same data), so the fold changes the cost and never the answer. Time passes by the test moving
 * the cursor's {@code seen_at} back, as that time would; the pool is the application user's with the
 * repository's session settings (READ COMMITTED, 3 s row lock wait), as in Lambda.
 */
class InventoryReconciliationFoldTest {
    /** FULL_HISTORY is the check before V304: every record of every goods summed on every run. */
    private static final String FULL_HISTORY = """
            SELECT k.goods_id, i.on_hand, i.reserved, COALESCE(l.on_hand, 0), COALESCE(l.reserved, 0) + COALESCE(o.reserved, 0)
            FROM (SELECT goods_id FROM inventory
                  UNION SELECT goods_id FROM stock_movement
                  UNION SELECT j.goods_id FROM stock_sell_detail d, %1$s WHERE d.status = 'RESERVED') k
            LEFT JOIN inventory i ON i.goods_id = k.goods_id
            LEFT JOIN (SELECT goods_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
                       FROM stock_movement GROUP BY goods_id) l ON l.goods_id = k.goods_id
            LEFT JOIN (SELECT j.goods_id, SUM(j.num) AS reserved FROM stock_sell_detail d, %1$s
                       WHERE d.status = 'RESERVED' GROUP BY j.goods_id) o ON o.goods_id = k.goods_id
            ORDER BY k.goods_id""".formatted(
            "JSON_TABLE(d.items, '$[*]' COLUMNS (goods_id BIGINT PATH '$.goodsId', num INT PATH '$.num')) j");

    private static HikariDataSource pool;

    @BeforeAll
    static void openPool() {
        StackEndpoints e = TestStack.get().stack().endpoints();
        pool = Database.pool(new DbConfig(JdbcInventoryRepository.jdbcUrl(e.jdbcUrl()), Optional.empty(), e.dbUser(),
                e.dbPassword(), 6), AwsConfig.from(TestStack.get().env(java.util.Map.of())), "fold-test",
                JdbcInventoryRepository.SESSION_SETTINGS);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @BeforeEach
    void reset() {
        InventoryFixture.resetTables();
    }

    @Test
    void afterAFold_aCounterEditedBehindTheLedger_andRecordsWrittenBehindTheCounters_areStillFound() throws Exception {
        JdbcInventoryRepository repository = new JdbcInventoryRepository(pool);
        List<Long> goods = newGoods(3);
        long a = goods.get(0);
        long b = goods.get(1);
        long c = goods.get(2);
        setStock(a, 10);
        setStock(b, 6);
        Instant now = Instant.now();
        reserve(repository, "fold-1", a, 3);
        reserve(repository, "fold-2", b, 2);
        assertTrue(repository.confirm("fold-1", now, "test").changed());
        reserve(repository, "fold-3", a, 1); // stays open

        assertSameAsFullHistory(repository.reconcile(), 0); // sees the ledger
        assertEquals(0L, foldedThrough(), "nothing is folded before the seen id is 10 minutes old");
        long seen = seenId();
        assertEquals(count("SELECT MAX(id) FROM stock_movement"), seen);
        age();
        assertSameAsFullHistory(repository.reconcile(), 0); // folds
        assertEquals(seen, foldedThrough(), "the records seen 10 minutes ago or more are folded");
        assertEquals(List.of(List.of(a, 7L, 0L), List.of(b, 6L, 0L)), balances(),
                "the balance is the folded records' sums (fold-1 confirmed: 3 reserved and released, 3 sold)");
        // Traffic after the fold: in the tail.
        assertTrue(repository.cancel("fold-2", now, "test").changed());
        setStock(b, 9);
        assertSameAsFullHistory(repository.reconcile(), 0);

        // A counter edited behind the ledger's back, on a goods whose records are all folded.
        InventoryFixture.update("UPDATE inventory SET on_hand = on_hand + 1 WHERE goods_id = ?", a);
        List<Mismatch> found = assertSameAsFullHistory(repository.reconcile(), 1);
        assertEquals(new Mismatch(a, 8, 1, 7, 1), found.getFirst());
        // A record written behind the counters' back, in the tail, for a goods with no stock row.
        InventoryFixture.update("INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, caller)"
                + " VALUES (?, 'ADJUSTMENT', UTC_TIMESTAMP(3), 5, 0, 'test')", c);
        long orphan = count("SELECT MAX(id) FROM stock_movement");
        found = assertSameAsFullHistory(repository.reconcile(), 2);
        assertEquals(new Mismatch(c, null, null, 5, 0), found.get(1));
        // ... and once it is folded too (the folded part's future), with one more behind b's counters.
        InventoryFixture.update("INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, caller)"
                + " VALUES (?, 'ADJUSTMENT', UTC_TIMESTAMP(3), -2, 0, 'test')", b);
        age();
        repository.reconcile(); // folds through what it saw last, sees the rest
        age();
        found = assertSameAsFullHistory(repository.reconcile(), 3);
        assertTrue(foldedThrough() > orphan, "the orphan record is folded");
        assertEquals(count("SELECT MAX(id) FROM stock_movement"), foldedThrough());
        assertEquals(List.of(new Mismatch(a, 8, 1, 7, 1), new Mismatch(b, 9, 0, 7, 0), new Mismatch(c, null, null, 5, 0)),
                found);
    }

    /**
     * The schedule runs every 15 minutes, and a run stamps what it saw at its end, so the next run finds
     * the stamp a little younger than 15 minutes: it must still fold. (With a 15-minute rule every other
     * run skipped its fold and the tail covered half an hour.)
     */
    @Test
    void theNextScheduledRun_foldsWhatTheRunBeforeSaw() throws Exception {
        JdbcInventoryRepository repository = new JdbcInventoryRepository(pool);
        long g = newGoods(1).get(0);
        setStock(g, 10);
        assertSameAsFullHistory(repository.reconcile(), 0);
        long seen = seenId();
        age(Duration.ofMinutes(15).minusSeconds(5));
        assertSameAsFullHistory(repository.reconcile(), 0);
        assertEquals(seen, foldedThrough(), "the run 15 minutes later (less the last run's length) folded nothing");
        // What the next runs still have to fold, as the handler publishes it (UnfoldedRecords).
        setStock(g, 12);
        setStock(g, 14);
        InventoryRepository.Reconciliation behind = repository.reconcile();
        assertEquals(count("SELECT MAX(id) FROM stock_movement") - foldedThrough(), behind.unfolded());
        assertEquals(2L, behind.unfolded(), "two counts since the fold");
    }

    /**
     * Ids commit out of order: a record whose id was allocated before the cursor saw a higher one, and
     * committed after, is folded once it commits, never skipped. While its transaction is still open
     * when the seen id has aged (a session left open for minutes), the fold waits for it rather than
     * pass it, and the check still answers.
     */
    @Test
    void aRecordCommittedAfterTheCursorSawAHigherId_isNeverLost() throws Exception {
        JdbcInventoryRepository repository = new JdbcInventoryRepository(pool);
        List<Long> goods = newGoods(2);
        long g = goods.get(0);
        setStock(g, 10);
        try (Connection open = pool.getConnection(); Statement s = open.createStatement()) {
            long inFlight = adjustmentInFlight(s, g);
            setStock(goods.get(1), 4); // a higher id, committed first
            assertSameAsFullHistory(repository.reconcile(), 0);
            assertTrue(seenId() > inFlight, "the cursor saw " + seenId() + ", above the open record " + inFlight);

            // Minutes on, the transaction is still open: the fold waits for it (3 s), then gives up this run.
            age();
            assertSameAsFullHistory(repository.reconcile(), 0);
            assertTrue(foldedThrough() < inFlight, "folded past a record not yet committed: " + foldedThrough());

            s.execute("COMMIT");
        }
        assertSameAsFullHistory(repository.reconcile(), 0);
        assertTrue(foldedThrough() > 0, "the fold went on once the transaction ended");
        age();
        repository.reconcile();
        age();
        assertSameAsFullHistory(repository.reconcile(), 0);
        assertEquals(count("SELECT MAX(id) FROM stock_movement"), foldedThrough());
        assertEquals(13L, balanceOnHand(g), "the late record is in the balance, once");
    }

    /**
     * A record committed after the cursor saw a higher id, then minutes pass (the usual case): the
     * next run folds it with the rest.
     */
    @Test
    void aRecordCommittedLate_beforeTheSeenIdAged_isFoldedWithTheRest() throws Exception {
        JdbcInventoryRepository repository = new JdbcInventoryRepository(pool);
        List<Long> goods = newGoods(2);
        long g = goods.get(0);
        setStock(g, 10);
        try (Connection open = pool.getConnection(); Statement s = open.createStatement()) {
            adjustmentInFlight(s, g);
            setStock(goods.get(1), 4);
            assertSameAsFullHistory(repository.reconcile(), 0); // sees id 3
            assertSameAsFullHistory(repository.reconcile(), 0);
            assertEquals(0L, foldedThrough(), "nothing is folded before the seen id is 10 minutes old");
            s.execute("COMMIT");
        }
        age();
        assertSameAsFullHistory(repository.reconcile(), 0);
        assertEquals(3L, foldedThrough(), "all three records folded");
        assertEquals(13L, balanceOnHand(g));
    }

    /** Two runs at once (a retry beside the schedule, ./dev reconcile) fold one after the other: each record once. */
    @Test
    void twoRunsAtOnce_foldEachRecordOnce() throws Exception {
        // Small batches, so that both runs go through many fold transactions side by side.
        JdbcInventoryRepository repository = new JdbcInventoryRepository(pool, 3, 1_000);
        List<Long> goods = newGoods(4);
        for (int round = 1; round <= 30; round++) {
            for (long g : goods) {
                setStock(g, round);
            }
        }
        assertSameAsFullHistory(repository.reconcile(), 0);
        age();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<InventoryRepository.Reconciliation>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(two.submit(() -> {
                    start.await();
                    return repository.reconcile();
                }));
            }
            start.countDown();
            for (Future<InventoryRepository.Reconciliation> run : runs) {
                assertEquals(List.of(), run.get().mismatches());
            }
        } finally {
            two.shutdownNow();
        }
        assertEquals(120L, foldedThrough());
        assertSameAsFullHistory(repository.reconcile(), 0);
        for (long g : goods) {
            assertEquals(30L, balanceOnHand(g), "goods " + g + " folded once");
        }
    }

    /**
     * A ledger bigger than one run's fold (here 3 batches of 10 ids, 95 records): each run folds its
     * share within its deadline and answers right; later runs finish the fold, then it waits for the
     * next seen id to age.
     */
    @Test
    void aLedgerBiggerThanOneRunsFold_isFoldedOverSeveralRuns() throws Exception {
        JdbcInventoryRepository repository = new JdbcInventoryRepository(pool, 10, 3);
        List<Long> goods = newGoods(5);
        for (int round = 1; round <= 19; round++) {
            for (long g : goods) {
                setStock(g, round * 2);
            }
        }
        assertSameAsFullHistory(inTime(repository), 0);
        assertEquals(95L, seenId());
        age();
        List<Long> folded = new ArrayList<>();
        for (int run = 0; run < 4; run++) {
            assertSameAsFullHistory(inTime(repository), 0);
            folded.add(foldedThrough());
        }
        assertEquals(List.of(30L, 60L, 90L, 95L), folded);
        // Caught up: the cursor saw the ledger anew, and nothing more is folded until that ages.
        setStock(goods.getFirst(), 1);
        assertSameAsFullHistory(inTime(repository), 0);
        assertEquals(95L, foldedThrough());
        for (long g : goods) {
            assertEquals(38L, balanceOnHand(g));
        }
    }

    /** inTime runs the check as the scheduled function does, within a deadline. */
    private static InventoryRepository.Reconciliation inTime(JdbcInventoryRepository repository) {
        return Deadline.in(Duration.ofSeconds(20)).run(repository::reconcile);
    }

    private static void reserve(JdbcInventoryRepository repository, String orderSn, long goodsId, int num) {
        Instant now = Instant.now();
        assertTrue(repository.reserve(orderSn, List.of(new ReservationItem(goodsId, num)), now.plusSeconds(600), "test", now)
                instanceof ReserveOutcome.Reserved, orderSn);
    }

    /**
     * assertSameAsFullHistory checks that a run's answer is the full-history check's on the same data
     * (nothing written meanwhile), with {@code mismatched} goods, and returns them.
     */
    private static List<Mismatch> assertSameAsFullHistory(InventoryRepository.Reconciliation run, int mismatched)
            throws SQLException {
        long checked = 0;
        List<Mismatch> expected = new ArrayList<>();
        try (Connection c = pool.getConnection(); PreparedStatement p = c.prepareStatement(FULL_HISTORY);
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                checked++;
                Integer onHand = rs.getObject(2, Integer.class);
                Integer reserved = rs.getObject(3, Integer.class);
                if (onHand == null || onHand != rs.getLong(4) || reserved != rs.getLong(5)) {
                    expected.add(new Mismatch(rs.getLong(1), onHand, reserved, rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        assertEquals(expected, run.mismatches(), "the full-history check's answer");
        assertEquals(checked, run.checked(), "goods checked");
        assertEquals(mismatched, run.mismatches().size(), "mismatched goods");
        return run.mismatches();
    }

    /**
     * adjustmentInFlight starts, on {@code s}'s session, an adjustment of 3 units received for goods
     * {@code g} and leaves it uncommitted: its record's id is allocated, not committed. Returns that id.
     */
    private static long adjustmentInFlight(Statement s, long g) throws SQLException {
        s.execute("START TRANSACTION");
        s.execute("UPDATE inventory SET on_hand = on_hand + 3, version = version + 1 WHERE goods_id = " + g);
        s.execute("INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, reason, caller)"
                + " VALUES (" + g + ", 'ADJUSTMENT', UTC_TIMESTAMP(3), 3, 0, 'received', 'test')");
        try (ResultSet rs = s.executeQuery("SELECT LAST_INSERT_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** age moves the cursor's seen time 16 minutes back, as if that long had passed. */
    private static void age() {
        age(Duration.ofMinutes(16));
    }

    /** age moves the cursor's seen time back by {@code by}, as if that long had passed. */
    private static void age(Duration by) {
        InventoryFixture.update("UPDATE stock_balance_cursor SET seen_at = seen_at - INTERVAL " + by.toMillis() / 1000.0
                + " SECOND WHERE id = 1");
    }

    private static long foldedThrough() {
        return count("SELECT folded_through FROM stock_balance_cursor WHERE id = 1");
    }

    private static long seenId() {
        return count("SELECT seen_id FROM stock_balance_cursor WHERE id = 1");
    }

    private static Long balanceOnHand(long goodsId) {
        List<List<Object>> rows = InventoryFixture.query("SELECT on_hand FROM stock_balance WHERE goods_id = ?", goodsId);
        return rows.isEmpty() ? null : ((Number) rows.getFirst().getFirst()).longValue();
    }

    private static List<List<Long>> balances() {
        return InventoryFixture.query("SELECT goods_id, on_hand, reserved FROM stock_balance ORDER BY goods_id").stream()
                .map(r -> r.stream().map(v -> ((Number) v).longValue()).toList()).toList();
    }
}
