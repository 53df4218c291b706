package shop.inventory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * StatementPause holds a statement of the product inside its transaction, from the test's side: it takes
 * a named lock ({@code GET_LOCK}) on its own connection and installs a test-only trigger that runs after
 * the product's trigger ({@code FOLLOWS}) and waits for that lock when the row is the given order's. The
 * paused statement has done all its writes and not committed; the test can look at the database, kill
 * the connection, and {@link #release()} the statement (or its retry, which pauses again while the lock
 * is held). Nothing of it ships: the schema has no hook. It runs as the tests' administrator (triggers
 * and KILL are not the application user's to do).
 */
final class StatementPause implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final Connection admin;
    private final String lock;
    private final String trigger;
    private boolean held;

    /**
     * StatementPause pauses every {@code event} (INSERT or UPDATE) of a {@code stock_sell_detail} row of
     * {@code orderSn}, after the product's trigger {@code follows}, until {@link #release()}.
     */
    StatementPause(String event, String follows, String orderSn) throws SQLException {
        int n = SEQ.incrementAndGet();
        this.lock = "inventory-test-pause-" + n;
        this.trigger = "test_pause_" + n;
        this.admin = shop.testing.TestStack.get().admin().getConnection(); // DDL: not the application user's right
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT GET_LOCK('" + lock + "', 5)")) {
            rs.next();
            if (rs.getInt(1) != 1) {
                throw new IllegalStateException("could not take the test lock " + lock);
            }
            held = true;
        }
        try (Statement s = admin.createStatement()) {
            s.execute("CREATE TRIGGER " + trigger + " AFTER " + event + " ON stock_sell_detail FOR EACH ROW FOLLOWS "
                    + follows + " BEGIN IF NEW.order_sn = '" + orderSn + "' THEN DO GET_LOCK('" + lock + "', 60);"
                    + " DO RELEASE_LOCK('" + lock + "'); END IF; END");
        }
    }

    /** awaitPaused polls the process list for a statement waiting on the lock, other than {@code seen}, and returns its connection id. */
    long awaitPaused(Set<Long> seen) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            // As the administrator: inside a trigger the session runs as the trigger's DEFINER (the
            // migration user), which the application user cannot see in the process list.
            try (PreparedStatement p = admin.prepareStatement("SELECT id FROM information_schema.processlist"
                    + " WHERE state = 'User lock' AND info LIKE ?")) {
                p.setString(1, "%GET_LOCK('" + lock + "'%");
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        if (!seen.contains(rs.getLong(1))) {
                            return rs.getLong(1);
                        }
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no statement paused on " + lock + " within 30 s");
    }

    /** kill ends a paused statement's connection, as a lost Lambda or network would. */
    static void kill(long connectionId) throws SQLException {
        try (Connection c = shop.testing.TestStack.get().admin().getConnection(); PreparedStatement p = c.prepareStatement("KILL ?")) {
            p.setLong(1, connectionId);
            p.execute();
        }
    }

    /** release lets the paused statements (and any later one) go on. */
    void release() throws SQLException {
        if (held) {
            try (Statement s = admin.createStatement()) {
                s.execute("DO RELEASE_LOCK('" + lock + "')");
            }
            held = false;
        }
    }

    /** close releases the lock, then drops the trigger (a paused statement would hold the table's metadata lock). */
    @Override
    public void close() throws SQLException {
        try {
            release();
            try (Statement s = admin.createStatement()) {
                s.execute("DROP TRIGGER IF EXISTS " + trigger);
            }
        } finally {
            admin.close();
        }
    }
}
