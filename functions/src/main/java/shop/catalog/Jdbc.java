package shop.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import shop.platform.db.Transactions;
import shop.platform.db.Bounded;

/**
 * Jdbc is the small JDBC toolkit the catalog repositories share: run a statement with positional
 * parameters, map rows, run a block in one transaction. Connections and reads are bounded by the
 * request's deadline ({@link Bounded}): every query carries its server-side time limit. SQLExceptions leave it unchecked as
 * {@link DataAccessException}, carrying the vendor error code so that repositories can translate
 * constraint violations into the catalog's conflicts.
 */
final class Jdbc {
    /** MySQL/MariaDB error codes the catalog translates. */
    static final int DUPLICATE_KEY = 1062;
    static final int ROW_IS_REFERENCED = 1451;
    static final int NO_REFERENCED_ROW = 1452;

    private final Transactions transactions;

    Jdbc(DataSource dataSource) {
        this(new Transactions(dataSource));
    }

    /** Creates the toolkit over shared transactions (the idempotency store joins them). */
    Jdbc(Transactions transactions) {
        this.transactions = transactions;
    }

    /** RowMapper turns the current row into a value. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work is a block that runs inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run();
    }

    /** DataAccessException wraps a SQLException with its vendor code. */
    static final class DataAccessException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errorCode;

        DataAccessException(SQLException cause) {
            super(cause.getMessage(), cause);
            this.errorCode = cause.getErrorCode();
        }

        int errorCode() {
            return errorCode;
        }

        /** mentions tells whether the server's message names a constraint or key. */
        boolean mentions(String name) {
            return getMessage() != null && getMessage().contains(name);
        }
    }

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(Bounded.read(sql))) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(mapper.map(rs));
                    }
                    return out;
                }
            }
        });
    }

    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = query(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    long queryLong(String sql, Object... params) {
        return queryOne(sql, rs -> rs.getLong(1), params).orElse(0L);
    }

    int update(String sql, Object... params) {
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
                return ps.executeUpdate();
            }
        });
    }

    /** insert runs an INSERT and returns the generated id. */
    long insert(String sql, Object... params) {
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
                bind(ps, params);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new IllegalStateException("no generated key for: " + sql);
                    }
                    return keys.getLong(1);
                }
            }
        });
    }

    /** inTransaction runs work on one connection and commits, or rolls back on any failure. */
    <T> T inTransaction(Work<T> work) {
        try {
            return transactions.inTransaction(work::run);
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    @FunctionalInterface
    private interface ConnectionWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(ConnectionWork<T> work) {
        try {
            return transactions.withConnection(work::run);
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            switch (p) {
                case null -> ps.setNull(i + 1, Types.NULL);
                case Long l -> ps.setLong(i + 1, l);
                case Integer n -> ps.setInt(i + 1, n);
                case Boolean b -> ps.setBoolean(i + 1, b);
                case String s -> ps.setString(i + 1, s);
                default -> ps.setObject(i + 1, p);
            }
        }
    }

    /** placeholders returns "?, ?, ?" for n parameters. */
    static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** nullableLong reads a BIGINT column that may be NULL. */
    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
