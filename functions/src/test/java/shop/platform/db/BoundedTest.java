package shop.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.ProblemException;
import shop.platform.http.Problems;
import shop.stack.StackEndpoints;
import shop.testing.FreezableProxy;
import shop.testing.TestStack;

/**
 * Database work ends by the request's deadline on the real server: the read's server-side limit in
 * the text both MySQL and MariaDB take, the pool's wait, and the socket reads of a borrowed
 * connection when the database stops answering.
 */
class BoundedTest {
    /**
     * HEAVY is a read that runs for minutes: a count over a cross join of the server's collations
     * (hundreds, visible to every user, whatever its grants).
     */
    private static final String HEAVY = "SELECT COUNT(*) FROM information_schema.COLLATIONS a, information_schema.COLLATIONS b,"
            + " information_schema.COLLATIONS c WHERE a.ID + b.ID > c.ID AND 'bounded-heavy-read' IS NOT NULL";

    @Test
    void limited_carriesMariaDbsAndMySqlsLimitInOneText() {
        assertEquals("/*M!100102 SET STATEMENT max_statement_time=14 FOR */ SELECT /*+ MAX_EXECUTION_TIME(14000) */ id FROM goods",
                Bounded.limited("SELECT id FROM goods", 14_700));
        assertEquals("/*M!100102 SET STATEMENT max_statement_time=1.2 FOR */ (SELECT /*+ MAX_EXECUTION_TIME(1200) */ 1)"
                + " UNION ALL (SELECT 2)", Bounded.limited("(SELECT 1) UNION ALL (SELECT 2)", 1_290));
        assertEquals("/*M!100102 SET STATEMENT max_statement_time=0.1 FOR */ select /*+ MAX_EXECUTION_TIME(100) */ 1",
                Bounded.limited("select 1", 150));
        assertThrows(IllegalArgumentException.class, () -> Bounded.limited("WITH x AS (SELECT 1) SELECT * FROM x", 5_000));
    }

    @Test
    void withoutADeadline_theReadIsUnchanged() {
        assertEquals("SELECT 1", Bounded.read("SELECT 1"));
        assertTrue(Deadline.in(Duration.ofSeconds(9)).run(() -> Bounded.read("SELECT 1")).startsWith("/*M!100102 SET STATEMENT"));
    }

    @Test
    void limitedReads_runOnTheServer_asPreparedStatements() throws Exception {
        List<Long> rows = Deadline.in(Duration.ofSeconds(9)).run(() -> query(TestStack.get().dataSource(),
                "(SELECT 1) UNION ALL (SELECT 2)"));
        assertEquals(List.of(1L, 2L), rows);
        assertEquals(List.of(3L), Deadline.in(Duration.ofMillis(1_900)).run(() -> query(TestStack.get().dataSource(),
                "SELECT STRAIGHT_JOIN 1 + 2")));
    }

    @Test
    void aReadPastItsLimit_isStoppedByTheServer() throws Exception {
        long start = System.nanoTime();
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> Deadline.in(Duration.ofMillis(2_500)).run(() -> query(TestStack.get().dataSource(), HEAVY)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        SQLException sql = assertInstanceOf(SQLException.class, e.getCause());
        assertEquals(1969, sql.getErrorCode(), "MariaDB's max_statement_time: " + sql);
        assertTrue(millis < 5_000, "stopped at its limit, took " + millis + " ms");
        ProblemException p = Problems.known(e).orElseThrow();
        assertInstanceOf(DeadlineExceededException.class, p);
        assertEquals(503, p.status());
        assertEquals(Optional.of(DeadlineExceededException.RETRY_AFTER), p.retryAfter());
        // The server itself stopped it: nothing of it runs on.
        assertEquals(List.of(0L), query(TestStack.get().dataSource(), "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                + " WHERE INFO LIKE '%bounded-heavy-read%' AND INFO NOT LIKE '%PROCESSLIST%'"));
    }

    @Test
    void aDatabaseThatStopsAnswering_failsTheCallAtTheDeadline_notAfterTheSocketTimeout() throws Exception {
        StackEndpoints e = TestStack.get().stack().endpoints();
        try (FreezableProxy proxy = FreezableProxy.forJdbcUrl(e.jdbcUrl());
             HikariDataSource pool = Database.pool(new DbConfig(proxy.jdbcUrl(e.jdbcUrl()), Optional.empty(), e.dbUser(),
                     e.dbPassword(), 1), AwsConfig.from(TestStack.get().env(Map.of())), "bounded-frozen")) {
            try {
                assertEquals(List.of(1L), Deadline.in(Duration.ofSeconds(10)).run(() -> query(pool, "SELECT 1")));
                proxy.freeze();
                // A connection in hand (used within the pool's 500 ms, so not validated again) blocks on its read.
                long start = System.nanoTime();
                RuntimeException failed = assertThrows(RuntimeException.class,
                        () -> Deadline.in(Duration.ofMillis(2_500)).run(() -> query(pool, "SELECT 2")));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis >= 2_400 && millis < 4_000, "failed at the deadline, after " + millis + " ms");
                assertInstanceOf(SQLException.class, failed.getCause());
                // With no connection left, the pool's wait ends by the deadline too (less its validation time).
                start = System.nanoTime();
                assertThrows(RuntimeException.class, () -> Deadline.in(Duration.ofMillis(3_000)).run(() -> query(pool, "SELECT 3")));
                millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 3_500, "the pool's wait ended by the deadline, after " + millis + " ms");
                // Past the deadline nothing is tried.
                Deadline spent = Deadline.in(Duration.ZERO);
                assertThrows(DeadlineExceededException.class, () -> spent.run(() -> query(pool, "SELECT 4")));
            } finally {
                proxy.thaw();
            }
        }
    }

    /** query runs a read through {@link Bounded}, as the repositories do, and returns its first column. */
    private static List<Long> query(javax.sql.DataSource ds, String sql) {
        try (Connection c = Bounded.connection(ds); PreparedStatement ps = c.prepareStatement(Bounded.read(sql));
             ResultSet rs = ps.executeQuery()) {
            List<Long> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
