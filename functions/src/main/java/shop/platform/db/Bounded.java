package shop.platform.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;

/**
 * Bounded makes database work end by the request's {@link Deadline}: the wait for a pooled
 * connection, every socket read on it, and each read statement on the server.
 *
 * <ul>
 *   <li>{@link #connection} waits for a pooled connection at most until the deadline (less the pool's
 *       validation timeout, which a borrow may spend on top), and sets the connection's network
 *       timeout to the time left, so a database that stops answering fails the call at the deadline
 *       instead of after the driver's 30 s socket timeout. The pool puts its own timeout back when the
 *       connection returns.</li>
 *   <li>{@link #read} gives a SELECT the time left as a server-side limit, so the server stops a
 *       query that its Lambda could no longer use. MySQL 8 and MariaDB spell it differently, and one
 *       text carries both: MySQL's optimizer hint {@code SELECT /*+ MAX_EXECUTION_TIME(ms) *}{@code /}
 *       (MariaDB 11 takes it for a comment), and MariaDB's {@code SET STATEMENT max_statement_time=s
 *       FOR} inside an executable comment {@code /*M!100102 ... *}{@code /} that only MariaDB runs
 *       (MySQL skips it). Both are part of the statement: no session variable is set, so nothing
 *       pins a connection to a client behind RDS Proxy, and nothing carries over to the next
 *       statement on the pooled connection.</li>
 * </ul>
 *
 * <p>Without a deadline ({@link Deadline#NONE}: code outside a request) both leave the pool's own
 * settings alone. The limit is cut to whole seconds (tenths under two seconds), so that a statement
 * has few distinct texts for the driver's and the server's statement caches.
 */
public final class Bounded {
    /** MariaDB's ER_STATEMENT_TIMEOUT: a statement ran past its max_statement_time. */
    private static final int ER_STATEMENT_TIMEOUT = 1969;
    /** MySQL 8's ER_QUERY_TIMEOUT: a SELECT ran past its MAX_EXECUTION_TIME. */
    private static final int ER_QUERY_TIMEOUT = 3024;
    /** MIN_STATEMENT_TIME is the least time a statement is started with; less left is a 503 at once. */
    static final Duration MIN_STATEMENT_TIME = Duration.ofMillis(100);
    private static final Executor SAME_THREAD = Runnable::run;

    private Bounded() {
    }

    /**
     * connection borrows a connection from the pool within the current deadline and bounds its socket
     * reads by the time left; a {@link DeadlineExceededException} when no time is left.
     */
    public static Connection connection(DataSource dataSource) throws SQLException {
        Deadline deadline = Deadline.current();
        if (!deadline.bounded()) {
            return dataSource.getConnection();
        }
        deadline.check("the database");
        Connection c;
        HikariPool pool = pool(dataSource);
        if (pool != null) {
            HikariDataSource h = dataSource.unwrap(HikariDataSource.class);
            // A borrow may validate the connection on top of the wait (up to the validation timeout).
            Duration wait = deadline.cap(Duration.ofMillis(h.getConnectionTimeout()),
                    Duration.ofMillis(h.getValidationTimeout()));
            if (wait.isZero()) {
                throw new DeadlineExceededException("a database connection", null);
            }
            c = pool.getConnection(wait.toMillis());
        } else {
            c = dataSource.getConnection();
        }
        try {
            long left = deadline.remaining().toMillis();
            if (left <= 0) {
                throw new DeadlineExceededException("the database", null);
            }
            c.setNetworkTimeout(SAME_THREAD, (int) Math.min(Integer.MAX_VALUE, left));
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * read gives a SELECT (or a UNION of SELECTs, parenthesised or not) the current deadline as its
     * server-side time limit; unchanged without a deadline. A {@link DeadlineExceededException} when
     * less than {@link #MIN_STATEMENT_TIME} is left.
     */
    public static String read(String select) {
        Deadline deadline = Deadline.current();
        if (!deadline.bounded()) {
            return select;
        }
        long left = deadline.remaining().toMillis();
        if (left < MIN_STATEMENT_TIME.toMillis()) {
            throw new DeadlineExceededException("the database", null);
        }
        return limited(select, left);
    }

    /** exceededTimeLimit tells an error of a statement the server stopped at the limit {@link #read} gave it. */
    public static boolean exceededTimeLimit(SQLException e) {
        return e.getErrorCode() == ER_STATEMENT_TIMEOUT || e.getErrorCode() == ER_QUERY_TIMEOUT;
    }

    /** limited is the statement with a server-side limit of {@code millis} (cut to whole seconds, or tenths under 2 s). */
    static String limited(String select, long millis) {
        long ms = millis >= 2_000 ? millis / 1_000 * 1_000 : millis / 100 * 100;
        int at = 0;
        while (at < select.length() && (Character.isWhitespace(select.charAt(at)) || select.charAt(at) == '(')) {
            at++;
        }
        // The hint must follow the statement's first SELECT; a statement starting otherwise (WITH) is refused.
        if (!select.regionMatches(true, at, "SELECT", 0, "SELECT".length())) {
            throw new IllegalArgumentException("not a SELECT: " + select);
        }
        int afterSelect = at + "SELECT".length();
        return "/*M!100102 SET STATEMENT max_statement_time=" + seconds(ms) + " FOR */ "
                + select.substring(0, afterSelect) + " /*+ MAX_EXECUTION_TIME(" + ms + ") */"
                + select.substring(afterSelect);
    }

    private static String seconds(long ms) {
        return ms % 1_000 == 0 ? String.valueOf(ms / 1_000) : (ms / 1_000) + "." + (ms % 1_000 / 100);
    }

    /** pool is the Hikari pool behind a data source, when it is one (or wraps one); null otherwise. */
    private static HikariPool pool(DataSource dataSource) throws SQLException {
        if (dataSource.isWrapperFor(HikariDataSource.class)) {
            return dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean() instanceof HikariPool p ? p : null;
        }
        return null;
    }
}
