package shop.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.db.Bounded;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;
import shop.platform.json.Json;

/**
 * JdbcInventoryRepository keeps stock in {@code inventory} ({@code on_hand}, {@code reserved},
 * {@code version}), reservations in {@code stock_sell_detail} and the ledger in
 * {@code stock_movement}, on MySQL 8 or MariaDB 10.6+ (migration V303 has the design).
 *
 * <h2>The reserve: one autocommit INSERT, the hot row lock held for one statement</h2>
 * A reservation is one autocommit {@code INSERT INTO stock_sell_detail ...}, a server-side prepared
 * statement and one round trip; its AFTER INSERT trigger {@code inventory_reserve_apply} does the rest
 * inside the same statement:
 * <ol>
 *   <li>the reservation row goes in first: a repeated order number fails here on the primary key
 *       (1062) before the trigger runs, so before any stock row is touched; two identical requests at
 *       the same moment queue on that key and the second sees the first's committed row;</li>
 *   <li>the trigger adds each item to its stock row's {@code reserved} in ascending goods id (the stored
 *       items are sorted) if the row is {@code sellable}; a short item breaks
 *       {@code ck_inventory_reserved CHECK (reserved <= on_hand)} (4025 on MariaDB, 3819 on MySQL), the
 *       same test as {@code WHERE on_hand - reserved >= ?} without a round trip to decide; a deleted
 *       goods or a missing stock row raises 1644;</li>
 *   <li>the statement commits. Any error fails the statement, and InnoDB rolls all of it back, the
 *       reservation row included: all items or none.</li>
 * </ol>
 * The reservation row is the ledger record of its reserve, so the hot path writes nothing more than it
 * did before the ledger (V303 explains the record design). A refusal is explained by a lock-free read
 * (unknown goods, or the shortages). Alternatives measured (docs/benchmarks.md): a stored procedure
 * cost about 15 % more server CPU, a client-side batch about twice, client transactions more still;
 * a check as a subquery of the INSERT share-locks the hot row, so two reservations deadlock.
 *
 * <h2>Everything else</h2>
 * Confirm, cancel and extension are one autocommit UPDATE of the reservation row (read back in the
 * same round trip); the settle trigger moves the counters and writes the ledger rows in that statement.
 * The sweeper claims expired rows with {@code FOR UPDATE SKIP LOCKED} and locks their stock rows in
 * ascending goods id before the settling UPDATE. Partial reservations, counts and adjustments are
 * short client transactions ({@code START TRANSACTION} ... {@code COMMIT} statements, no session
 * state) that lock the stock rows first ({@code FOR UPDATE}, ascending), decide, and write the
 * counters and the record together. Row locks are always taken in one order: the reservation row,
 * then stock rows by ascending goods id; isolation is READ COMMITTED.
 */
public final class JdbcInventoryRepository implements InventoryRepository {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcInventoryRepository.class);

    static final int ER_DUP_ENTRY = 1062;
    static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    static final int ER_LOCK_DEADLOCK = 1213;
    static final int ER_QUERY_INTERRUPTED = 1317;
    static final int ER_CONNECTION_KILLED = 1927;
    static final int ER_SERVER_SHUTDOWN = 1053;
    /** ER_SIGNAL_EXCEPTION: inventory_reserve_apply's SIGNAL for an unknown goods or a missing stock row. */
    static final int ER_SIGNAL_EXCEPTION = 1644;
    /** MariaDB's ER_CONSTRAINT_FAILED. */
    static final int ER_CONSTRAINT_FAILED = 4025;
    /** MySQL 8's ER_CHECK_CONSTRAINT_VIOLATED. */
    static final int ER_CHECK_CONSTRAINT_VIOLATED = 3819;

    /** LOCK_WAIT_TIMEOUT_SECONDS bounds a row lock wait; the service retries after it. */
    static final int LOCK_WAIT_TIMEOUT_SECONDS = 3;
    /** SWEEPER is the caller recorded for expiries. */
    static final String SWEEPER = "sweeper";
    private static final int MAX_CALLER = 128;

    /** INSERT_RESERVATION is the whole reserve: trigger inventory_reserve_apply (V303) adds the items to reserved. */
    private static final String INSERT_RESERVATION = "INSERT INTO stock_sell_detail (order_sn, status, items, expires_at,"
            + " created_at, reserved_by) VALUES (?, 'RESERVED', ?, ?, ?, ?)";

    private static final String INSERT_PARTIAL_RESERVATION = "INSERT INTO stock_sell_detail (order_sn, status, items,"
            + " expires_at, created_at, reserved_by, requested) VALUES (?, 'RESERVED', ?, ?, ?, ?, ?)";

    private static final String SELECT_RESERVATION = "SELECT status, items, expires_at, created_at, settled_at,"
            + " return_reason, requested FROM stock_sell_detail WHERE order_sn = ?";

    private static final String MOVEMENT_COLUMNS = "id, goods_id, kind, moved_at, on_hand_delta, reserved_delta,"
            + " order_sn, reason, reference, replaced_on_hand, caller, on_hand_after, reserved_after, version_after";

    private static final String INSERT_MOVEMENT = "INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta,"
            + " reserved_delta, reason, reference, replaced_on_hand, caller, on_hand_after, reserved_after, version_after,"
            + " idempotency_key, request_hash) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** One JSON_TABLE column list for the reservations' items. */
    private static final String ITEMS_TABLE =
            "JSON_TABLE(d.items, '$[*]' COLUMNS (goods_id BIGINT PATH '$.goodsId', num INT PATH '$.num')) j";

    /**
     * FOLD_AFTER is how old a seen id must be before the reconciliation folds the records up to it. The
     * fold share-locks its range, so a transaction still holding a record there is waited for; the age
     * only has to outlast an id's allocation before its row is in, inside one statement, and is ten
     * minutes of margin for that. It is shorter than the 15-minute schedule, so that every scheduled
     * run folds what the run before it saw (with 15 minutes, a stamp a moment younger than the
     * schedule's period made every other run skip its fold).
     */
    static final Duration FOLD_AFTER = Duration.ofMinutes(10);
    /** FOLD_BATCH is how many ids one fold transaction covers (about 1.5 s of work on the local stack). */
    static final int FOLD_BATCH = 1_000_000;
    /** FOLD_BATCHES_PER_RUN bounds one run's fold; a run with a deadline also stops at a third of it. */
    static final int FOLD_BATCHES_PER_RUN = 100;

    private final DataSource dataSource;
    private final int foldBatch;
    private final int foldBatchesPerRun;

    /** JdbcInventoryRepository uses a pool opened with {@link #jdbcUrl(String)}'s options and {@link #SESSION_SETTINGS}. */
    public JdbcInventoryRepository(DataSource dataSource) {
        this(dataSource, FOLD_BATCH, FOLD_BATCHES_PER_RUN);
    }

    /** JdbcInventoryRepository with another fold size per transaction and per run (see {@link #fold}). */
    JdbcInventoryRepository(DataSource dataSource, int foldBatch, int foldBatchesPerRun) {
        if (foldBatch < 1 || foldBatchesPerRun < 1) {
            throw new IllegalArgumentException("fold sizes must be positive: " + foldBatch + ", " + foldBatchesPerRun);
        }
        this.dataSource = dataSource;
        this.foldBatch = foldBatch;
        this.foldBatchesPerRun = foldBatchesPerRun;
    }

    /**
     * SESSION_SETTINGS are what this repository's connections need: a short row lock wait (a stuck
     * holder costs seconds, then the service retries) and READ COMMITTED (cancels and sweeps lock the
     * rows they read, no gaps). The pool runs them on each new connection, or, behind RDS Proxy, the
     * proxy's init query does ({@code Database.PROXY_INIT_QUERY}): no session SET from here.
     */
    public static final java.util.List<String> SESSION_SETTINGS = java.util.List.of(
            "innodb_lock_wait_timeout = " + LOCK_WAIT_TIMEOUT_SECONDS, "transaction_isolation = 'READ-COMMITTED'");

    /**
     * jdbcUrl adds what this repository needs to a configured URL: multi-statement batches. Session
     * settings go through {@link #SESSION_SETTINGS}, never {@code sessionVariables} (that pins).
     */
    public static String jdbcUrl(String configured) {
        String sep = configured.contains("?") ? "&" : "?";
        return configured + sep + "allowMultiQueries=true";
    }

    // ------------------------------------------------------------------------------------------ stock

    @Override
    public Optional<StockLevel> stock(long goodsId) {
        List<StockLevel> levels = stocks(List.of(goodsId));
        return levels.isEmpty() ? Optional.empty() : Optional.of(levels.getFirst());
    }

    @Override
    public List<StockLevel> stocks(Collection<Long> goodsIds) {
        if (goodsIds.isEmpty()) {
            return List.of();
        }
        List<Long> ids = List.copyOf(new TreeSet<>(goodsIds));
        return withConnection(c -> stocks(c, ids));
    }

    @Override
    public StockChange count(long goodsId, int onHand, long expectedVersion, String caller, Instant at) {
        return withConnection(c -> transaction(c, () -> {
            Optional<StockLevel> locked = lockStockRow(c, goodsId);
            if (locked.isEmpty()) {
                return new StockChange.UnknownGoods();
            }
            StockLevel before = locked.get();
            if (before.version() != expectedVersion) {
                return new StockChange.StaleVersion(before);
            }
            if (onHand < before.reserved()) {
                return new StockChange.BelowReserved(onHand, before);
            }
            StockLevel after = new StockLevel(goodsId, onHand, before.reserved(), before.version() + 1);
            setOnHand(c, after);
            Movement m = insertMovement(c, new Movement(null, goodsId, MovementKind.COUNT, at, onHand - before.onHand(), 0,
                    null, null, null, before.onHand(), caller(caller), after.onHand(), after.reserved(), after.version()),
                    null, null);
            return new StockChange.Applied(m, after);
        }, StockChange.Applied.class::isInstance));
    }

    @Override
    public StockChange adjust(Adjustment adjustment, String idempotencyKey, String requestHash, String caller, Instant at) {
        return withConnection(c -> {
            if (idempotencyKey != null) {
                Optional<StockChange> earlier = replay(c, idempotencyKey, requestHash);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            try {
                return transaction(c, () -> {
                    Optional<StockLevel> locked = lockStockRow(c, adjustment.goodsId());
                    if (locked.isEmpty()) {
                        return new StockChange.UnknownGoods();
                    }
                    StockLevel before = locked.get();
                    long onHand = (long) before.onHand() + adjustment.delta();
                    if (onHand < before.reserved()) {
                        return new StockChange.BelowReserved((int) Math.max(Integer.MIN_VALUE, onHand), before);
                    }
                    if (onHand > InventoryService.MAX_STOCK) {
                        return new StockChange.AboveMaximum(onHand, before);
                    }
                    StockLevel after = new StockLevel(before.goodsId(), (int) onHand, before.reserved(), before.version() + 1);
                    setOnHand(c, after);
                    Movement m = insertMovement(c, new Movement(null, before.goodsId(), MovementKind.ADJUSTMENT, at,
                            adjustment.delta(), 0, null, adjustment.reason().code(), adjustment.reference(), null,
                            caller(caller), after.onHand(), after.reserved(), after.version()), idempotencyKey, requestHash);
                    return new StockChange.Applied(m, after);
                }, StockChange.Applied.class::isInstance);
            } catch (SQLException e) {
                if (e.getErrorCode() == ER_DUP_ENTRY && idempotencyKey != null) {
                    // The same key committed meanwhile (by a call on another goods, or one that read before it).
                    rollback(c);
                    Optional<StockChange> earlier = replay(c, idempotencyKey, requestHash);
                    if (earlier.isPresent()) {
                        return earlier.get();
                    }
                }
                throw e;
            }
        });
    }

    /** replay answers an adjustment whose key was committed: the same movement, or KeyReused for other content. */
    private static Optional<StockChange> replay(Connection c, String idempotencyKey, String requestHash)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + MOVEMENT_COLUMNS + ", request_hash FROM stock_movement"
                + " WHERE idempotency_key = ?")) {
            p.setString(1, idempotencyKey);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Movement m = movement(rs);
                if (!rs.getString("request_hash").equals(requestHash)) {
                    return Optional.of(new StockChange.KeyReused());
                }
                return Optional.of(new StockChange.Replayed(m,
                        new StockLevel(m.goodsId(), m.onHandAfter(), m.reservedAfter(), m.versionAfter())));
            }
        }
    }

    /**
     * lockStockRow locks a live goods' stock row ({@code FOR UPDATE}), making it when the goods has none
     * (onHand 0); empty for an unknown or deleted goods. A missing row is made only after the goods row
     * is share-locked as live, so a soft delete (whose trigger marks the stock row not sellable) cannot
     * slip between the check and the insert.
     */
    private static Optional<StockLevel> lockStockRow(Connection c, long goodsId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT on_hand, reserved, version, sellable FROM inventory WHERE goods_id = ? FOR UPDATE")) {
            p.setLong(1, goodsId);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    return rs.getBoolean(4) ? Optional.of(new StockLevel(goodsId, rs.getInt(1), rs.getInt(2), rs.getLong(3)))
                            : Optional.empty();
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement(
                "SELECT id FROM goods WHERE id = ? AND deleted_at IS NULL LOCK IN SHARE MODE")) {
            p.setLong(1, goodsId);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO inventory (goods_id, on_hand) VALUES (?, 0)")) {
            p.setLong(1, goodsId);
            try {
                p.executeUpdate();
            } catch (SQLException e) {
                if (e.getErrorCode() == ER_DUP_ENTRY) { // another call made it meanwhile: start again
                    throw new TransientConflictException("stock row of goods " + goodsId + " appeared meanwhile", e);
                }
                throw e;
            }
        }
        return Optional.of(new StockLevel(goodsId, 0, 0, 0));
    }

    private static void setOnHand(Connection c, StockLevel after) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE inventory SET on_hand = ?, version = ? WHERE goods_id = ?")) {
            p.setInt(1, after.onHand());
            p.setLong(2, after.version());
            p.setLong(3, after.goodsId());
            if (p.executeUpdate() != 1) {
                throw new IllegalStateException("the locked stock row of goods " + after.goodsId() + " is gone");
            }
        }
    }

    private static Movement insertMovement(Connection c, Movement m, String idempotencyKey, String requestHash)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement(INSERT_MOVEMENT, Statement.RETURN_GENERATED_KEYS)) {
            int k = 1;
            p.setLong(k++, m.goodsId());
            p.setString(k++, m.kind().name());
            p.setObject(k++, utc(m.at()));
            p.setInt(k++, m.onHandDelta());
            p.setString(k++, m.reason());
            p.setString(k++, m.reference());
            setNullableInt(p, k++, m.replacedOnHand());
            p.setString(k++, m.caller());
            setNullableInt(p, k++, m.onHandAfter());
            setNullableInt(p, k++, m.reservedAfter());
            p.setObject(k++, m.versionAfter(), Types.BIGINT);
            p.setString(k++, idempotencyKey);
            p.setString(k, requestHash);
            p.executeUpdate();
            try (ResultSet keys = p.getGeneratedKeys()) {
                keys.next();
                return new Movement(keys.getLong(1), m.goodsId(), m.kind(), m.at(), m.onHandDelta(), m.reservedDelta(),
                        m.orderSn(), m.reason(), m.reference(), m.replacedOnHand(), m.caller(), m.onHandAfter(),
                        m.reservedAfter(), m.versionAfter());
            }
        }
    }

    // ------------------------------------------------------------------------------------------ reservations

    @Override
    public ReserveOutcome reserve(String orderSn, List<ReservationItem> items, Instant expiresAt, String caller,
                                  Instant at) {
        String itemsJson = Json.write(items);
        Instant createdAt = millis(at);
        return withConnection(c -> {
            try (PreparedStatement p = c.prepareStatement(INSERT_RESERVATION)) {
                p.setString(1, orderSn);
                p.setString(2, itemsJson);
                p.setObject(3, utc(expiresAt));
                p.setObject(4, utc(createdAt));
                p.setString(5, caller(caller));
                try {
                    p.executeUpdate();
                } catch (SQLException e) {
                    if (connectionLost(e)) {
                        throw e; // withConnection evicts it; the statement died with it
                    }
                    return explainRefusal(c, e, orderSn, items); // the failed statement left nothing
                }
                return new ReserveOutcome.Reserved(new Reservation(orderSn, ReservationStatus.RESERVED, items, expiresAt,
                        createdAt, null, null, null));
            }
        });
    }

    private ReserveOutcome explainRefusal(Connection c, SQLException e, String orderSn, List<ReservationItem> items)
            throws SQLException {
        int code = e.getErrorCode();
        if (code == ER_DUP_ENTRY) {
            return alreadyExists(c, orderSn, e);
        }
        if (code == ER_CONSTRAINT_FAILED || code == ER_CHECK_CONSTRAINT_VIOLATED || code == ER_SIGNAL_EXCEPTION) {
            // Read, without locks, which goods are unknown or short. If none is, stock came back meanwhile.
            Map<Long, StockLevel> stock = levels(c, items);
            List<Long> unknown = unknown(items, stock);
            if (!unknown.isEmpty()) {
                return new ReserveOutcome.UnknownGoods(unknown);
            }
            List<Shortage> shortages = items.stream().filter(i -> stock.get(i.goodsId()).available() < i.num())
                    .map(i -> new Shortage(i.goodsId(), i.num(), stock.get(i.goodsId()).available())).toList();
            if (!shortages.isEmpty()) {
                return new ReserveOutcome.Short(shortages);
            }
            throw new TransientConflictException("stock of " + orderSn + " was short, then sufficient", e);
        }
        throw e;
    }

    private static ReserveOutcome alreadyExists(Connection c, String orderSn, SQLException e) throws SQLException {
        Optional<Reservation> existing = find(c, orderSn);
        if (existing.isEmpty()) {
            throw new TransientConflictException("reservation " + orderSn + " vanished after a duplicate key", e);
        }
        return new ReserveOutcome.AlreadyExists(existing.get());
    }

    @Override
    public ReserveOutcome reservePartial(String orderSn, List<ReservationItem> requested, Instant expiresAt,
                                         String caller, Instant at) {
        Instant createdAt = millis(at);
        return withConnection(c -> {
            // A repeat answers without locking any stock row; a repeat racing this call meets the key below.
            Optional<Reservation> existing = find(c, orderSn);
            if (existing.isPresent()) {
                return new ReserveOutcome.AlreadyExists(existing.get());
            }
            try {
                return transaction(c, () -> {
                    Map<Long, Integer> available = lockAvailable(c, requested);
                    if (available.size() < requested.size()) {
                        // A requested goods has no sellable stock row: unknown, or live with nothing on hand.
                        Map<Long, StockLevel> stock = levels(c, requested);
                        List<Long> unknown = unknown(requested, stock);
                        if (!unknown.isEmpty()) {
                            return new ReserveOutcome.UnknownGoods(unknown);
                        }
                    }
                    List<ReservationItem> got = new ArrayList<>();
                    List<Shortage> shortages = new ArrayList<>();
                    for (ReservationItem asked : requested) {
                        int units = Math.min(asked.num(), Math.max(0, available.getOrDefault(asked.goodsId(), 0)));
                        if (units > 0) {
                            got.add(new ReservationItem(asked.goodsId(), units));
                        }
                        if (units < asked.num()) {
                            shortages.add(new Shortage(asked.goodsId(), asked.num(), units));
                        }
                    }
                    if (got.isEmpty()) {
                        return new ReserveOutcome.Short(shortages);
                    }
                    try (PreparedStatement p = c.prepareStatement(INSERT_PARTIAL_RESERVATION)) {
                        p.setString(1, orderSn);
                        p.setString(2, Json.write(got));
                        p.setObject(3, utc(expiresAt));
                        p.setObject(4, utc(createdAt));
                        p.setString(5, caller(caller));
                        p.setString(6, Json.write(requested));
                        p.executeUpdate(); // the stock rows are ours: only the order number can refuse it
                    }
                    return new ReserveOutcome.Reserved(new Reservation(orderSn, ReservationStatus.RESERVED, got,
                            expiresAt, createdAt, null, null, requested));
                }, ReserveOutcome.Reserved.class::isInstance);
            } catch (SQLException e) {
                if (e.getErrorCode() == ER_DUP_ENTRY) { // the same order number committed meanwhile
                    rollback(c);
                    return alreadyExists(c, orderSn, e);
                }
                throw e;
            }
        });
    }

    /** lockAvailable locks the sellable stock rows of the items in ascending goods id and reads what each has available. */
    private static Map<Long, Integer> lockAvailable(Connection c, List<ReservationItem> items) throws SQLException {
        String sql = "SELECT goods_id, on_hand - reserved FROM inventory WHERE goods_id IN (" + marks(items.size())
                + ") AND sellable ORDER BY goods_id FOR UPDATE";
        Map<Long, Integer> out = new HashMap<>();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < items.size(); i++) {
                p.setLong(i + 1, items.get(i).goodsId());
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getInt(2));
                }
            }
        }
        return out;
    }

    @Override
    public Optional<Reservation> find(String orderSn) {
        return withConnection(c -> find(c, orderSn));
    }

    private static Optional<Reservation> find(Connection c, String orderSn) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(SELECT_RESERVATION)) {
            p.setString(1, orderSn);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(reservation(orderSn, rs)) : Optional.empty();
            }
        }
    }

    @Override
    public TransitionOutcome confirm(String orderSn, Instant now, String caller) {
        // An expired reservation is left to the sweeper. The settle trigger sells the units and records it.
        return transition("UPDATE stock_sell_detail SET status = 'CONFIRMED', settled_at = ?, settled_by = ?"
                + " WHERE order_sn = ? AND status = 'RESERVED' AND expires_at > ?", orderSn, p -> {
                    p.setObject(1, utc(millis(now)));
                    p.setString(2, caller(caller));
                    p.setString(3, orderSn);
                    p.setObject(4, utc(now));
                    return 5;
                });
    }

    @Override
    public TransitionOutcome cancel(String orderSn, Instant now, String caller) {
        return transition("UPDATE stock_sell_detail SET status = 'RETURNED', settled_at = ?, settled_by = ?,"
                + " return_reason = 'cancelled' WHERE order_sn = ? AND status = 'RESERVED'", orderSn, p -> {
                    p.setObject(1, utc(millis(now)));
                    p.setString(2, caller(caller));
                    p.setString(3, orderSn);
                    return 4;
                });
    }

    @Override
    public TransitionOutcome extend(String orderSn, Instant now, Instant expiresAt) {
        // The sweeper claims rows with FOR UPDATE SKIP LOCKED and settles them in its transaction: this
        // UPDATE either waits for that and then finds the row RETURNED (no match), or commits first, and
        // the sweeper's locking read then sees the new expiry (or skips the row while it is held).
        return transition("UPDATE stock_sell_detail SET expires_at = GREATEST(expires_at, ?)"
                + " WHERE order_sn = ? AND status = 'RESERVED' AND expires_at > ?", orderSn, p -> {
                    p.setObject(1, utc(expiresAt));
                    p.setString(2, orderSn);
                    p.setObject(3, utc(now));
                    return 4;
                });
    }

    @FunctionalInterface
    private interface Binder {
        /** bind sets the UPDATE's parameters and returns the index of the read-back's order number. */
        int bind(PreparedStatement p) throws SQLException;
    }

    /** transition runs one autocommit UPDATE of a reservation row and reads the row back, in one round trip. */
    private TransitionOutcome transition(String update, String orderSn, Binder binder) {
        return withConnection(c -> {
            try (PreparedStatement p = c.prepareStatement(update + ";\n" + SELECT_RESERVATION)) {
                p.setString(binder.bind(p), orderSn);
                List<Reservation> found = new ArrayList<>();
                List<Object> results = run(p, rs -> {
                    while (rs.next()) {
                        found.add(reservation(orderSn, rs));
                    }
                });
                boolean changed = Integer.valueOf(1).equals(results.getFirst());
                return new TransitionOutcome(found.stream().findFirst(), changed);
            }
        });
    }

    @Override
    public int sweepBatch(Instant now, int limit) {
        return withConnection(c -> {
            Map<String, List<ReservationItem>> expired = new LinkedHashMap<>();
            // SKIP LOCKED: a row a cancel, a confirm, an extension or another sweeper holds is theirs to decide.
            String select = "START TRANSACTION;\nSELECT order_sn, items FROM stock_sell_detail"
                    + " WHERE status = 'RESERVED' AND expires_at <= ? ORDER BY expires_at LIMIT ?"
                    + " FOR UPDATE SKIP LOCKED";
            try (PreparedStatement p = c.prepareStatement(select)) {
                p.setObject(1, utc(now));
                p.setInt(2, limit);
                run(p, rs -> {
                    while (rs.next()) {
                        expired.put(rs.getString(1), items(rs.getString(2)));
                    }
                });
            }
            if (expired.isEmpty()) {
                rollback(c);
                return 0;
            }
            // The settle trigger runs per reservation, so it would lock goods in each reservation's order;
            // locking them all first, ascending, keeps the one lock order.
            Set<Long> goods = new TreeSet<>();
            expired.values().forEach(items -> items.forEach(i -> goods.add(i.goodsId())));
            String sql = "SELECT goods_id FROM inventory WHERE goods_id IN (" + marks(goods.size())
                    + ") ORDER BY goods_id FOR UPDATE;\n"
                    + "UPDATE stock_sell_detail SET status = 'RETURNED', settled_at = ?, settled_by = '" + SWEEPER
                    + "', return_reason = 'expired' WHERE order_sn IN (" + marks(expired.size()) + ") AND status = 'RESERVED';\n"
                    + "COMMIT";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                int k = 1;
                for (long id : goods) {
                    p.setLong(k++, id);
                }
                p.setObject(k++, utc(millis(now)));
                for (String orderSn : expired.keySet()) {
                    p.setString(k++, orderSn);
                }
                run(p, null);
            }
            LOG.info("returned the stock of {} expired reservations: {}", expired.size(), expired.keySet());
            return expired.size();
        });
    }

    // ------------------------------------------------------------------------------------------ the ledger

    @Override
    public Optional<MovementPage> movements(long goodsId, int page, int pageSize, int countUpTo) {
        int offset = (page - 1) * pageSize;
        int upTo = offset + pageSize;
        // The ledger's rows by the (goods_id, moved_at, id) index, and the RESERVE movements of the goods'
        // open reservations, read from the live set (they move into the ledger when they settle, with the
        // same time, so a movement never changes its place). One statement: one consistent read.
        String sql = "SELECT * FROM ("
                + "(SELECT " + MOVEMENT_COLUMNS + " FROM stock_movement WHERE goods_id = ?"
                + " ORDER BY moved_at DESC, id DESC LIMIT ?)"
                + " UNION ALL"
                + " (SELECT NULL, j.goods_id, 'RESERVE', d.created_at, 0, j.num, d.order_sn, NULL, NULL, NULL,"
                + " COALESCE(d.reserved_by, 'unrecorded'), NULL, NULL, NULL FROM stock_sell_detail d, " + ITEMS_TABLE
                + " WHERE d.status = 'RESERVED' AND j.goods_id = ? ORDER BY d.created_at DESC, d.order_sn DESC LIMIT ?)"
                + ") m ORDER BY moved_at DESC, id IS NULL DESC, id DESC, order_sn DESC LIMIT ? OFFSET ?";
        String count = "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM stock_movement WHERE goods_id = ? LIMIT ?) a)"
                + " + (SELECT COUNT(*) FROM (SELECT 1 FROM stock_sell_detail d, " + ITEMS_TABLE
                + " WHERE d.status = 'RESERVED' AND j.goods_id = ? LIMIT ?) b)";
        return withConnection(c -> {
            if (stocks(c, List.of(goodsId)).isEmpty()) {
                return Optional.empty();
            }
            List<Movement> items = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(Bounded.read(sql))) {
                p.setLong(1, goodsId);
                p.setInt(2, upTo);
                p.setLong(3, goodsId);
                p.setInt(4, upTo);
                p.setInt(5, pageSize);
                p.setInt(6, offset);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        items.add(movement(rs));
                    }
                }
            }
            long total;
            try (PreparedStatement p = c.prepareStatement(Bounded.read(count))) {
                p.setLong(1, goodsId);
                p.setInt(2, countUpTo + 1);
                p.setLong(3, goodsId);
                p.setInt(4, countUpTo + 1);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            boolean capped = total > countUpTo;
            return Optional.of(new MovementPage(Math.min(total, countUpTo), page, pageSize, items, capped ? true : null));
        });
    }

    /**
     * reconcile folds what it safely can into the running balance ({@link #fold}), then compares every
     * goods' counters with balance + the records above the fold + its open reservations in one
     * statement: one consistent read in READ COMMITTED, so concurrent traffic cannot make it see a
     * counter without its record or a record without its counter, and a fold's balance rows and its
     * cursor are seen together or not at all. Every goods that has a stock row, a balance or a record
     * is compared (a goods with records has a balance row once they are folded); a goods with none has
     * nothing to explain. The result is the same as summing all history at that moment; the cost
     * follows the goods and the records since the last fold.
     */
    @Override
    public Reconciliation reconcile() {
        // The tail: records above folded_through. The cursor row is a const table (primary key = 1), read
        // when the statement is planned, so the tail is a range read of the primary key (EXPLAIN: range;
        // an outer join with COALESCE here scans the whole ledger). V304 makes the row, the fold remakes it.
        String tail = "stock_balance_cursor c JOIN stock_movement m ON m.id > c.folded_through WHERE c.id = 1";
        String sql = """
                SELECT k.goods_id, i.on_hand, i.reserved,
                       COALESCE(b.on_hand, 0) + COALESCE(t.on_hand, 0),
                       COALESCE(b.reserved, 0) + COALESCE(t.reserved, 0) + COALESCE(o.reserved, 0)
                FROM (SELECT goods_id FROM inventory
                      UNION SELECT goods_id FROM stock_balance
                      UNION SELECT m.goods_id FROM %2$s
                      UNION SELECT j.goods_id FROM stock_sell_detail d, %1$s WHERE d.status = 'RESERVED') k
                LEFT JOIN inventory i ON i.goods_id = k.goods_id
                LEFT JOIN stock_balance b ON b.goods_id = k.goods_id
                LEFT JOIN (SELECT m.goods_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
                           FROM %2$s GROUP BY m.goods_id) t ON t.goods_id = k.goods_id
                LEFT JOIN (SELECT j.goods_id, SUM(j.num) AS reserved FROM stock_sell_detail d, %1$s
                           WHERE d.status = 'RESERVED' GROUP BY j.goods_id) o ON o.goods_id = k.goods_id
                ORDER BY k.goods_id""".formatted(ITEMS_TABLE, tail);
        return withConnection(c -> {
            fold(c);
            long checked = 0;
            List<Mismatch> mismatches = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(Bounded.read(sql)); ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    checked++;
                    Integer onHand = rs.getObject(2, Integer.class);
                    Integer reserved = rs.getObject(3, Integer.class);
                    long recordedOnHand = rs.getLong(4);
                    long recordedReserved = rs.getLong(5);
                    if (onHand == null || onHand != recordedOnHand || reserved != recordedReserved) {
                        mismatches.add(new Mismatch(rs.getLong(1), onHand, reserved, recordedOnHand, recordedReserved));
                    }
                }
            }
            long unfolded;
            try (PreparedStatement p = c.prepareStatement(Bounded.read("SELECT COALESCE((SELECT MAX(id) FROM stock_movement), 0)"
                    + " - COALESCE((SELECT folded_through FROM stock_balance_cursor WHERE id = 1), 0)"));
                 ResultSet rs = p.executeQuery()) {
                rs.next();
                unfolded = Math.max(0, rs.getLong(1));
            }
            return new Reconciliation(checked, mismatches, unfolded);
        });
    }

    /**
     * fold adds records to {@code stock_balance} and moves {@code stock_balance_cursor.folded_through}
     * past them, one batch of at most {@code foldBatch} ids per transaction, at most
     * {@code foldBatchesPerRun} batches, within a third of the run's deadline (the check keeps the
     * rest): a ledger that grew large before the balance existed is folded over several runs.
     *
     * <p>It folds only ids at or below {@code seen_id}, the highest id a run saw at least
     * {@link #FOLD_AFTER} ago. Ids are allocated in order but commit in any order, and a RESERVE record
     * is dated when its reservation was made, not when it was written, so neither the highest id nor a
     * time says that everything below is in. An id seen that long ago was allocated that long ago, and
     * its row was inserted with it; the range is share-locked before it is summed, so a transaction
     * still holding an id in it (uncommitted, or a session left open) is waited for. Once
     * caught up, the batch records the highest committed id and the time as the next {@code seen_id}.
     *
     * <p>Each batch is one transaction that locks the cursor row first, so overlapping runs fold one
     * after the other, each from where the last one left off; a run that dies mid-batch rolls the batch
     * back whole. The fold only saves work: when it cannot go on (a lock held by another run, its time
     * share spent) it stops and the check runs with a longer tail.
     */
    private void fold(Connection c) throws SQLException {
        Deadline run = Deadline.current();
        Deadline share = run.bounded() ? Deadline.in(run.remaining().dividedBy(3)) : Deadline.NONE;
        for (int batch = 0; batch < foldBatchesPerRun && !share.expired(); batch++) {
            FoldStep step;
            try {
                step = share.run(() -> {
                    try {
                        return foldBatch(c);
                    } catch (SQLException e) {
                        throw new FoldFailure(e);
                    }
                });
            } catch (FoldFailure f) {
                SQLException e = f.getCause();
                if (connectionLost(e) || !(isTransient(e) || Bounded.exceededTimeLimit(e))) {
                    throw e;
                }
                rollback(c);
                LOG.warn("the ledger fold stopped ({}/{}); the check sums a longer tail this run", e.getErrorCode(),
                        e.getSQLState());
                return;
            } catch (DeadlineExceededException e) {
                rollback(c);
                LOG.warn("the ledger fold stopped: its share of the run's time is spent");
                return;
            }
            if (step == FoldStep.DONE) {
                return;
            }
        }
    }

    /** FoldStep says whether a fold batch left more to fold now. */
    private enum FoldStep { DONE, MORE }

    /** FoldFailure carries a fold batch's SQLException out of the deadline's scope. */
    private static final class FoldFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FoldFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    /** foldBatch is one fold transaction: see {@link #fold}. */
    private FoldStep foldBatch(Connection c) throws SQLException {
        return transaction(c, () -> {
            Long foldedThrough = null;
            Long seenId = null;
            boolean seenLongAgo = false;
            try (PreparedStatement p = c.prepareStatement(Bounded.read("SELECT folded_through, seen_id,"
                    + " seen_at <= UTC_TIMESTAMP(3) - INTERVAL " + FOLD_AFTER.toSeconds() + " SECOND"
                    + " FROM stock_balance_cursor WHERE id = 1 FOR UPDATE")); ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    foldedThrough = rs.getLong(1);
                    seenId = rs.getObject(2, Long.class);
                    seenLongAgo = rs.getBoolean(3);
                }
            }
            if (foldedThrough == null) {
                // Only after the cursor was deleted by hand (V304 makes the row): start from nothing, the
                // balance with it, or its records would be counted again.
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM stock_balance");
                    s.executeUpdate("INSERT IGNORE INTO stock_balance_cursor (id, folded_through) VALUES (1, 0)");
                }
                return FoldStep.MORE;
            }
            long folded = foldedThrough;
            if (seenId != null && seenLongAgo && seenId > folded) {
                long to = Math.min(seenId, folded + foldBatch);
                // Waits for any transaction still holding a record in the range (READ COMMITTED takes no gap
                // locks: later inserts go on).
                try (PreparedStatement p = c.prepareStatement(Bounded.read("SELECT COUNT(*) FROM stock_movement"
                        + " FORCE INDEX (PRIMARY) WHERE id > ? AND id <= ? LOCK IN SHARE MODE"))) {
                    p.setLong(1, folded);
                    p.setLong(2, to);
                    p.executeQuery().close();
                }
                try (PreparedStatement p = c.prepareStatement("""
                        INSERT INTO stock_balance (goods_id, on_hand, reserved)
                        SELECT goods_id, folded_on_hand, folded_reserved
                        FROM (SELECT goods_id, SUM(on_hand_delta) AS folded_on_hand, SUM(reserved_delta) AS folded_reserved
                              FROM stock_movement FORCE INDEX (PRIMARY) WHERE id > ? AND id <= ? GROUP BY goods_id) f
                        ON DUPLICATE KEY UPDATE on_hand = stock_balance.on_hand + f.folded_on_hand,
                                                reserved = stock_balance.reserved + f.folded_reserved""")) {
                    p.setLong(1, folded);
                    p.setLong(2, to);
                    p.executeUpdate();
                }
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE stock_balance_cursor SET folded_through = ? WHERE id = 1")) {
                    p.setLong(1, to);
                    p.executeUpdate();
                }
                folded = to;
                LOG.info("folded the ledger through id {} (seen {})", to, seenId);
            }
            boolean caughtUp = seenId == null || (seenLongAgo && folded >= seenId);
            if (caughtUp) {
                long highest;
                try (PreparedStatement p = c.prepareStatement(Bounded.read(
                        "SELECT COALESCE(MAX(id), 0) FROM stock_movement")); ResultSet rs = p.executeQuery()) {
                    rs.next();
                    highest = rs.getLong(1);
                }
                try (PreparedStatement p = c.prepareStatement("UPDATE stock_balance_cursor SET seen_id = ?,"
                        + " seen_at = UTC_TIMESTAMP(3) WHERE id = 1")) {
                    p.setLong(1, Math.max(highest, folded));
                    p.executeUpdate();
                }
                return FoldStep.DONE;
            }
            return seenLongAgo ? FoldStep.MORE : FoldStep.DONE;
        }, step -> true);
    }

    // ------------------------------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface TxWork<T> {
        T run() throws SQLException;
    }

    @FunctionalInterface
    private interface RowsReader {
        void read(ResultSet rs) throws SQLException;
    }

    /**
     * transaction runs work between START TRANSACTION and COMMIT (statements, not the driver's autocommit
     * switch, so no session state changes); an outcome that {@code commits} rejects, or a failure, rolls
     * back everything the work wrote.
     */
    private <T> T transaction(Connection c, TxWork<T> work, java.util.function.Predicate<T> commits) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("START TRANSACTION");
        }
        T result = work.run(); // a failure leaves withConnection to roll back (or evict a dead connection)
        if (commits.test(result)) {
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
        } else {
            rollback(c);
        }
        return result;
    }

    /**
     * withConnection runs work on a pooled connection set up for this repository and translates
     * failures: lock conflicts and lost connections become {@link TransientConflictException} (every
     * operation here is safe to repeat: reserve by order number, transitions by status, adjustments by
     * their key, counts by version).
     */
    private <T> T withConnection(SqlWork<T> work) {
        try (Connection c = connection()) {
            try {
                return work.run(c);
            } catch (SQLException | RuntimeException e) {
                // Never hand a connection back with a transaction open: the next START TRANSACTION
                // would commit it. A broken connection leaves the pool instead.
                if (e instanceof SQLException s && connectionLost(s)) {
                    evict(c);
                } else {
                    rollback(c);
                }
                throw e;
            }
        } catch (SQLException e) {
            if (isTransient(e)) {
                throw new TransientConflictException("database conflict " + e.getErrorCode() + "/" + e.getSQLState()
                        + ": " + e.getMessage(), e);
            }
            throw new IllegalStateException("inventory statement failed: " + e.getErrorCode() + "/" + e.getSQLState(), e);
        }
    }

    private Connection connection() throws SQLException {
        return Bounded.connection(dataSource); // the request's deadline bounds it
    }

    /** run executes a (multi-statement) batch and returns each statement's update count, or rows read. */
    private static List<Object> run(PreparedStatement p, RowsReader reader) throws SQLException {
        List<Object> results = new ArrayList<>();
        boolean resultSet = p.execute();
        while (true) {
            if (resultSet) {
                try (ResultSet rs = p.getResultSet()) {
                    if (reader != null) {
                        reader.read(rs);
                    }
                }
                results.add("rows");
            } else {
                int count = p.getUpdateCount();
                if (count == -1) {
                    return results;
                }
                results.add(count);
            }
            resultSet = p.getMoreResults();
        }
    }

    /** rollback ends an open transaction; a connection that cannot is evicted, never reused half-done. */
    private void rollback(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            LOG.warn("ROLLBACK failed; evicting the connection", e);
            evict(c);
        }
    }

    private void evict(Connection c) {
        if (dataSource instanceof HikariDataSource h) {
            h.evictConnection(c);
        } else {
            try {
                c.unwrap(Connection.class).close();
            } catch (SQLException ignored) {
                // Already gone.
            }
        }
    }

    static boolean isTransient(SQLException e) {
        int code = e.getErrorCode();
        return code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT || "40001".equals(e.getSQLState())
                || connectionLost(e);
    }

    static boolean connectionLost(SQLException e) {
        int code = e.getErrorCode();
        String state = e.getSQLState();
        return e instanceof SQLRecoverableException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLTransientConnectionException || (state != null && state.startsWith("08"))
                || code == ER_CONNECTION_KILLED || code == ER_QUERY_INTERRUPTED || code == ER_SERVER_SHUTDOWN;
    }

    private static List<StockLevel> stocks(Connection c, List<Long> ids) throws SQLException {
        String sql = "SELECT g.id, COALESCE(i.on_hand, 0), COALESCE(i.reserved, 0), COALESCE(i.version, 0)"
                + " FROM goods g LEFT JOIN inventory i ON i.goods_id = g.id"
                + " WHERE g.deleted_at IS NULL AND g.id IN (" + marks(ids.size()) + ") ORDER BY g.id";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                p.setLong(i + 1, ids.get(i));
            }
            List<StockLevel> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new StockLevel(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getLong(4)));
                }
            }
            return out;
        }
    }

    /** levels reads the items' stock without locks, by goods id; live goods only. */
    private static Map<Long, StockLevel> levels(Connection c, List<ReservationItem> items) throws SQLException {
        Map<Long, StockLevel> stock = new HashMap<>();
        for (StockLevel level : stocks(c, items.stream().map(ReservationItem::goodsId).sorted().toList())) {
            stock.put(level.goodsId(), level);
        }
        return stock;
    }

    private static List<Long> unknown(List<ReservationItem> items, Map<Long, StockLevel> stock) {
        return items.stream().map(ReservationItem::goodsId).filter(id -> !stock.containsKey(id)).toList();
    }

    @Override
    public Optional<Instant> oldestExpiredReserved(Instant now) {
        return withConnection(c -> {
            // idx_detail_status_expiry answers this from the index alone.
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT MIN(expires_at) FROM stock_sell_detail WHERE status = 'RESERVED' AND expires_at <= ?")) {
                p.setObject(1, utc(now));
                try (ResultSet rs = p.executeQuery()) {
                    LocalDateTime oldest = rs.next() ? rs.getObject(1, LocalDateTime.class) : null;
                    return Optional.ofNullable(oldest).map(t -> t.toInstant(ZoneOffset.UTC));
                }
            }
        });
    }

    private static Reservation reservation(String orderSn, ResultSet rs) throws SQLException {
        String requested = rs.getString(7);
        return new Reservation(orderSn, ReservationStatus.valueOf(rs.getString(1)), items(rs.getString(2)),
                instant(rs, 3), instant(rs, 4), instant(rs, 5), ReturnReason.of(rs.getString(6)),
                requested == null ? null : items(requested));
    }

    private static Movement movement(ResultSet rs) throws SQLException {
        return new Movement(rs.getObject(1, Long.class), rs.getLong(2), MovementKind.valueOf(rs.getString(3)),
                instant(rs, 4), rs.getInt(5), rs.getInt(6), rs.getString(7), rs.getString(8), rs.getString(9),
                rs.getObject(10, Integer.class), rs.getString(11), rs.getObject(12, Integer.class),
                rs.getObject(13, Integer.class), rs.getObject(14, Long.class));
    }

    private static List<ReservationItem> items(String json) {
        try {
            return Arrays.stream(Json.MAPPER.readValue(json, ReservationItem[].class))
                    .sorted(Comparator.comparingLong(ReservationItem::goodsId)).toList();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stock_sell_detail.items is not a list of {goodsId, num}: " + json, e);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    private static void setNullableInt(PreparedStatement p, int index, Integer value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.INTEGER);
        } else {
            p.setInt(index, value);
        }
    }

    private static String caller(String caller) {
        String c = caller == null || caller.isBlank() ? "unknown" : caller;
        return c.length() <= MAX_CALLER ? c : c.substring(0, MAX_CALLER);
    }

    private static Instant millis(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String marks(int n) {
        return Collections.nCopies(n, "?").stream().collect(Collectors.joining(", "));
    }
}
