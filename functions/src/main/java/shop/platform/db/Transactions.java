package shop.platform.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Transactions runs work in one database transaction and binds its connection to the thread while
 * it runs, so that every repository over the same Transactions (and the idempotency store) writes
 * in that one transaction: a create and the record of its idempotency key commit together or not
 * at all. A nested {@link #inTransaction} joins the open transaction. Connections are borrowed
 * within the request's deadline ({@link Bounded#connection}).
 */
public final class Transactions {
    private final DataSource dataSource;
    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    /** Work is a block that runs inside the transaction; it fails with unchecked exceptions. */
    @FunctionalInterface
    public interface Work<T> {
        /** run does the work and returns its result. */
        T run();
    }

    /** SqlWork is a block that uses a connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /** run does the work on the connection. */
        T run(Connection c) throws SQLException;
    }

    /** Creates the transactions of a pool. */
    public Transactions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** dataSource returns the pool. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** connection borrows a connection outside any transaction, within the request's deadline. */
    public Connection connection() throws SQLException {
        return Bounded.connection(dataSource);
    }

    /** active tells whether this thread is inside a transaction. */
    public boolean active() {
        return bound.get() != null;
    }

    /**
     * inTransaction runs work on one connection and commits, or rolls back when the work throws
     * anything. Inside an open transaction it simply runs the work there.
     *
     * @throws SQLException when no connection can be had, or the commit fails (whether the commit
     *                      reached the server is then unknown: readers must check the database)
     */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        if (bound.get() != null) {
            return work.run();
        }
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            bound.set(c);
            try {
                T result = work.run();
                c.commit();
                return result;
            } catch (RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed); // the server rolls back when the connection goes
                }
                throw e;
            } finally {
                bound.remove();
                restoreAutoCommit(c);
            }
        }
    }

    /**
     * withConnection runs work on the transaction's connection when one is open, else on a pooled
     * connection in auto-commit mode.
     */
    public <T> T withConnection(SqlWork<T> work) throws SQLException {
        Connection tx = bound.get();
        if (tx != null) {
            return work.run(tx);
        }
        try (Connection c = connection()) {
            return work.run(c);
        }
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // A broken connection: the pool discards it.
        }
    }
}
