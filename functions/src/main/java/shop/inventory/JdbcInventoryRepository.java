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
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.json.Json;

/**
 * JdbcInventoryRepository keeps stock in {@code inventory} and reservations in
 * {@code stock_sell_detail}, on MySQL 8 or MariaDB 10.6+.
 *
 * <h2>The reserve transaction: one autocommit INSERT, the hot row lock held for one statement</h2>
 * A reservation is one autocommit {@code INSERT INTO stock_sell_detail ...}, a server-side prepared
 * statement and one round trip; its AFTER INSERT trigger {@code inventory_reserve_apply} (migrations
 * V301, V302) does the rest inside the same statement:
 * <ol>
 *   <li>the detail row goes in first: a repeated order number fails here on the primary key (1062)
 *       before the trigger runs, so before any inventory row is touched; two identical requests at the
 *       same moment queue on that key and the second sees the first's committed row;</li>
 *   <li>the trigger updates each stock row in ascending goods id ({@code stock = stock - num}, the
 *       stored items are sorted) if the row is {@code sellable}; a short item breaks
 *       {@code ck_inventory_stock CHECK (stock >= 0)} (4025 on MariaDB, 3819 on MySQL), which is the
 *       same test as {@code WHERE stock >= ?} but needs no round trip to decide; a deleted goods (its
 *       row is not sellable) or a missing stock row raises 1644. {@code sellable} follows the goods'
 *       soft delete through the trigger {@code inventory_goods_sellable} on goods (V302), so no goods
 *       row is read here: that lookup was a quarter of the reservation's server CPU;</li>
 *   <li>the statement commits. Any error fails the statement, and InnoDB rolls all of it back, the
 *       detail row included: all items or none.</li>
 * </ol>
 * So the hot row is locked from its UPDATE to the commit that ends the statement, about as long as
 * the bare autocommit UPDATE that is the throughput ceiling. A refusal is then explained by a
 * lock-free read (unknown goods, or the shortages). Alternatives measured (benchmarks.md): the same
 * steps as the stored procedure {@code inventory_reserve} (V300, which this replaced) cost about 15 %
 * more server CPU; as a client-side multi-statement batch about twice; as three prepared statements
 * in a client transaction more still (four round trips); an {@code INSERT ... SELECT} check cost about
 * 1 ms more; a check as a subquery of {@code INSERT ... VALUES} is a locking read that share-locks the
 * hot row, so two reservations deadlock upgrading to the UPDATE's exclusive lock.
 *
 * <p>Cancels and sweeps, which are not hot, are multi-statement batches (Connector/J
 * {@code allowMultiQueries}) at READ COMMITTED. Row locks are always taken in one order: the
 * reservation's detail row, then inventory rows by ascending goods id.
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

    /** INSERT_RESERVATION is the whole reserve: trigger inventory_reserve_apply (V301, V302) deducts the items. */
    private static final String INSERT_RESERVATION =
            "INSERT INTO stock_sell_detail (order_sn, status, items, expires_at) VALUES (?, 'RESERVED', ?, ?)";

    private static final String SELECT_RESERVATION =
            "SELECT status, items, expires_at FROM stock_sell_detail WHERE order_sn = ?";

    private final DataSource dataSource;
    /** Test hook: a pause, once, inside the next reserve or cancel transaction just before COMMIT. */
    private final java.util.concurrent.atomic.AtomicReference<java.time.Duration> pauseBeforeCommit =
            new java.util.concurrent.atomic.AtomicReference<>(java.time.Duration.ZERO);

    /** JdbcInventoryRepository uses a pool opened with {@link #jdbcUrl(String)}'s options and {@link #SESSION_SETTINGS}. */
    public JdbcInventoryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
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

    /**
     * pauseBeforeCommitOnce makes the next reserve or cancel sleep on the server just before its COMMIT,
     * inside the transaction (tests kill the connection there).
     */
    void pauseBeforeCommitOnce(java.time.Duration pause) {
        pauseBeforeCommit.set(pause);
    }

    private java.time.Duration takePause() {
        return pauseBeforeCommit.get().isZero() ? java.time.Duration.ZERO
                : pauseBeforeCommit.getAndSet(java.time.Duration.ZERO);
    }

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
    public boolean setStock(long goodsId, int stock) {
        // One autocommit statement: inserts the stock row of a live goods or overwrites it.
        String sql = """
                INSERT INTO inventory (goods_id, stock) SELECT id, ? FROM goods WHERE id = ? AND deleted_at IS NULL
                ON DUPLICATE KEY UPDATE stock = ?, version = version + 1""";
        return withConnection(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setInt(1, stock);
                p.setLong(2, goodsId);
                p.setInt(3, stock);
                return p.executeUpdate() > 0;
            }
        });
    }

    @Override
    public ReserveOutcome reserve(String orderSn, List<ReservationItem> items, Instant expiresAt) {
        String itemsJson = Json.write(items);
        return withConnection(c -> {
            long pause = takePause().toMillis();
            if (pause > 0) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET @inventory_reserve_pause_ms = " + pause);
                }
            }
            try (PreparedStatement p = c.prepareStatement(INSERT_RESERVATION)) {
                p.setString(1, orderSn);
                p.setString(2, itemsJson);
                p.setObject(3, utc(expiresAt));
                try {
                    p.executeUpdate();
                } catch (SQLException e) {
                    if (connectionLost(e)) {
                        throw e; // withConnection evicts it; the statement died with it
                    }
                    if (pause > 0) { // the trigger clears the hook only when it reaches it
                        try (Statement s = c.createStatement()) {
                            s.execute("SET @inventory_reserve_pause_ms = NULL");
                        }
                    }
                    return explainRefusal(c, e, orderSn, items); // the failed statement left nothing
                }
                return new ReserveOutcome.Reserved(
                        new Reservation(orderSn, ReservationStatus.RESERVED, items, expiresAt));
            }
        });
    }

    private ReserveOutcome explainRefusal(Connection c, SQLException e, String orderSn, List<ReservationItem> items)
            throws SQLException {
        int code = e.getErrorCode();
        if (code == ER_DUP_ENTRY) {
            Optional<Reservation> existing = find(c, orderSn);
            if (existing.isEmpty()) {
                throw new TransientConflictException("reservation " + orderSn + " vanished after a duplicate key", e);
            }
            return new ReserveOutcome.AlreadyExists(existing.get());
        }
        if (code == ER_CONSTRAINT_FAILED || code == ER_CHECK_CONSTRAINT_VIOLATED || code == ER_SIGNAL_EXCEPTION) {
            // Read, without locks, which goods are unknown or short. If none is, stock came back meanwhile.
            Map<Long, Integer> stock = new HashMap<>();
            for (StockLevel level : stocks(c, items.stream().map(ReservationItem::goodsId).toList())) {
                stock.put(level.goodsId(), level.stock());
            }
            List<Long> unknown = items.stream().map(ReservationItem::goodsId).filter(id -> !stock.containsKey(id))
                    .toList();
            if (!unknown.isEmpty()) {
                return new ReserveOutcome.UnknownGoods(unknown);
            }
            List<Shortage> shortages = items.stream().filter(i -> stock.get(i.goodsId()) < i.num())
                    .map(i -> new Shortage(i.goodsId(), i.num(), stock.get(i.goodsId()))).toList();
            if (!shortages.isEmpty()) {
                return new ReserveOutcome.Short(shortages);
            }
            throw new TransientConflictException("stock of " + orderSn + " was short, then sufficient", e);
        }
        throw e;
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
    public TransitionOutcome confirm(String orderSn, Instant now) {
        // One autocommit UPDATE decides, then the row is read back in the same round trip. Stock is
        // already deducted, so no inventory row is touched. An expired reservation is left to the sweeper.
        String sql = "UPDATE stock_sell_detail SET status = 'CONFIRMED'"
                + " WHERE order_sn = ? AND status = 'RESERVED' AND expires_at > ?;\n" + SELECT_RESERVATION;
        return withConnection(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, orderSn);
                p.setObject(2, utc(now));
                p.setString(3, orderSn);
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
    public TransitionOutcome cancel(String orderSn) {
        return withConnection(c -> {
            Optional<Reservation> current;
            // A failure anywhere below leaves withConnection to roll back (or evict a dead connection).
            try (PreparedStatement p = c.prepareStatement("START TRANSACTION;\n" + SELECT_RESERVATION + " FOR UPDATE")) {
                p.setString(1, orderSn);
                List<Reservation> found = new ArrayList<>();
                run(p, rs -> {
                    while (rs.next()) {
                        found.add(reservation(orderSn, rs));
                    }
                });
                current = found.stream().findFirst();
            }
            if (current.isEmpty() || current.get().status() != ReservationStatus.RESERVED) {
                rollback(c);
                return new TransitionOutcome(current, false);
            }
            Reservation r = current.get();
            StringBuilder sql = new StringBuilder(
                    "UPDATE stock_sell_detail SET status = 'RETURNED' WHERE order_sn = ?;\n");
            r.items().forEach(i -> sql.append("UPDATE inventory SET stock = stock + ? WHERE goods_id = ?;\n"));
            long pause = takePause().toMillis();
            if (pause > 0) {
                sql.append("DO SLEEP(").append(pause / 1000.0).append(");\n");
            }
            sql.append("COMMIT");
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                int k = 1;
                p.setString(k++, orderSn);
                for (ReservationItem item : r.items()) { // stored sorted by goods id
                    p.setInt(k++, item.num());
                    p.setLong(k++, item.goodsId());
                }
                run(p, null);
            }
            return new TransitionOutcome(
                    Optional.of(new Reservation(orderSn, ReservationStatus.RETURNED, r.items(), r.expiresAt())), true);
        });
    }

    @Override
    public int sweepBatch(Instant now, int limit) {
        return withConnection(c -> {
            Map<String, List<ReservationItem>> expired = new java.util.LinkedHashMap<>();
            // SKIP LOCKED: a row a cancel, a confirm or another sweeper holds is theirs to decide.
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
            Map<Long, Long> returned = new TreeMap<>(); // ascending goods id: the one lock order
            expired.values().forEach(items -> items.forEach(i -> returned.merge(i.goodsId(), (long) i.num(), Long::sum)));
            StringBuilder sql = new StringBuilder("UPDATE stock_sell_detail SET status = 'RETURNED' WHERE order_sn IN (")
                    .append(marks(expired.size())).append(");\n");
            returned.forEach((id, n) -> sql.append("UPDATE inventory SET stock = stock + ? WHERE goods_id = ?;\n"));
            sql.append("COMMIT");
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                int k = 1;
                for (String orderSn : expired.keySet()) {
                    p.setString(k++, orderSn);
                }
                for (var e : returned.entrySet()) {
                    p.setLong(k++, e.getValue());
                    p.setLong(k++, e.getKey());
                }
                run(p, null);
            }
            LOG.info("returned the stock of {} expired reservations: {}", expired.size(), expired.keySet());
            return expired.size();
        });
    }

    // ------------------------------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface RowsReader {
        void read(ResultSet rs) throws SQLException;
    }

    /**
     * withConnection runs work on a pooled connection set up for this repository and translates
     * failures: lock conflicts and lost connections become {@link TransientConflictException} (every
     * operation here is safe to repeat: reserve by order number, the others by status).
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
        return shop.platform.db.Bounded.connection(dataSource); // the request's deadline bounds it
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
        String sql = "SELECT g.id, COALESCE(i.stock, 0) FROM goods g LEFT JOIN inventory i ON i.goods_id = g.id"
                + " WHERE g.deleted_at IS NULL AND g.id IN (" + marks(ids.size()) + ") ORDER BY g.id";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                p.setLong(i + 1, ids.get(i));
            }
            List<StockLevel> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new StockLevel(rs.getLong(1), rs.getInt(2)));
                }
            }
            return out;
        }
    }

    private static Reservation reservation(String orderSn, ResultSet rs) throws SQLException {
        return new Reservation(orderSn, ReservationStatus.valueOf(rs.getString(1)), items(rs.getString(2)),
                rs.getObject(3, LocalDateTime.class).toInstant(ZoneOffset.UTC));
    }

    private static List<ReservationItem> items(String json) {
        try {
            return Arrays.stream(Json.MAPPER.readValue(json, ReservationItem[].class))
                    .sorted(java.util.Comparator.comparingLong(ReservationItem::goodsId)).toList();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stock_sell_detail.items is not a list of {goodsId, num}: " + json, e);
        }
    }

    private static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String marks(int n) {
        return Collections.nCopies(n, "?").stream().collect(Collectors.joining(", "));
    }
}
