package shop.platform.idempotency;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.db.Transactions;
import shop.platform.error.ConflictException;
import shop.platform.json.Json;

/**
 * JdbcIdempotencyStore keeps idempotency records in the database that holds the resources
 * ({@code idempotency_record}, V120) and completes a key in the same transaction as the create it
 * guards. So a create that committed has a COMPLETED record, and every later request with the key
 * replays it; a create that did not commit left nothing but the claim.
 *
 * <p>A claim is an IN_PROGRESS record, committed on its own before the create starts, with an owner
 * token and a lease. Two requests with the same key: the second sees the first's claim and answers
 * 409 at once (no lock wait). A request whose invocation died (a Lambda timeout) leaves its claim;
 * once the lease ran out, the next request takes the key over with a new owner token. The
 * completion is conditioned on the owner, so a create whose claim was taken over rolls back instead
 * of committing a second resource: whichever of the two commits first wins, and the other replays
 * it. A release (after a failure) deletes only an IN_PROGRESS record of its own owner, so it can
 * never undo a completion whose commit reply was lost.
 *
 * <p>Records expire after {@code retention}; each claim deletes up to {@link #PURGE_BATCH} expired
 * ones, so the table never outgrows the keys of one retention period.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {
    /** PURGE_BATCH is how many expired records one claim deletes. */
    static final int PURGE_BATCH = 10;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcIdempotencyStore.class);
    private static final int DUPLICATE_KEY = 1062;
    private static final String IN_PROGRESS = "IN_PROGRESS";
    private static final String COMPLETED = "COMPLETED";

    private final Transactions transactions;
    private final Duration retention;
    private final Duration lease;

    /**
     * Creates the store.
     *
     * @param transactions the transactions the guarded creates run in
     * @param retention    how long a completed key replays its response
     * @param lease        how long a claim holds a key before another request may take it over; longer
     *                     than the function's timeout, so a live invocation never loses its claim
     */
    public JdbcIdempotencyStore(Transactions transactions, Duration retention, Duration lease) {
        this.transactions = transactions;
        this.retention = retention;
        this.lease = lease;
    }

    /** Record is a row of idempotency_record. */
    private record Row(String fingerprint, String state, String owner, String reservedId, long lockedUntil,
                       long expiresAt, Response response) {
    }

    @Override
    public Claim claim(String key, String fingerprint, Instant now) {
        if (transactions.active()) {
            throw new IllegalStateException("claim must commit before the create's transaction starts");
        }
        String hash = hash(key);
        long nowMs = now.toEpochMilli();
        try (Connection c = transactions.connection()) {
            purge(c, nowMs);
            for (int attempt = 0; attempt < 3; attempt++) {
                Row row = find(c, hash);
                String owner = UUID.randomUUID().toString();
                if (row == null) {
                    String reserved = UUID.randomUUID().toString();
                    if (insert(c, hash, fingerprint, owner, reserved, nowMs)) {
                        return new Claim.Fresh(owner, reserved);
                    }
                } else if (row.expiresAt() < nowMs) {
                    String reserved = UUID.randomUUID().toString();
                    if (renew(c, hash, fingerprint, owner, reserved, nowMs)) {
                        return new Claim.Fresh(owner, reserved);
                    }
                } else if (!row.fingerprint().equals(fingerprint)) {
                    return new Claim.Mismatch();
                } else if (COMPLETED.equals(row.state())) {
                    return new Claim.Replay(row.response());
                } else if (row.lockedUntil() >= nowMs) {
                    return new Claim.InProgress();
                } else if (takeOver(c, hash, row.owner(), owner, nowMs)) {
                    LOG.warn("idempotency key taken over from an owner whose lease ran out (its invocation died)");
                    shop.platform.metrics.Metrics.get().count("IdempotencyTakeovers");
                    return new Claim.Fresh(owner, row.reservedId());
                }
                // Someone changed the record between our read and our write: read it again.
            }
            return new Claim.InProgress();
        } catch (SQLException e) {
            throw new IdempotencyStoreException("claiming an idempotency key failed", e);
        }
    }

    @Override
    public Response execute(String key, Claim.Fresh claim, Supplier<Response> create, Clock clock) {
        String hash = hash(key);
        try {
            return transactions.inTransaction(() -> {
                Response response = create.get();
                int settled = sql(c -> response.succeeded() ? complete(c, hash, claim.owner(), response, clock.millis())
                        : delete(c, hash, claim.owner()));
                if (response.succeeded() && settled != 1) {
                    throw new ClaimLostException();
                }
                return response;
            });
        } catch (ClaimLostException e) {
            throw new ConflictException("idempotency-in-progress", "Request in progress",
                    "A request with this Idempotency-Key is still running; retry shortly.", Map.of());
        } catch (SQLException e) {
            release(hash, claim.owner(), e);
            throw new IdempotencyStoreException("the create's transaction failed", e);
        } catch (RuntimeException | Error e) {
            release(hash, claim.owner(), e);
            throw e;
        }
    }

    /** release drops our claim after a failure, unless the create completed after all. */
    private void release(String hash, String owner, Throwable failure) {
        try (Connection c = transactions.connection()) {
            delete(c, hash, owner);
        } catch (SQLException e) {
            // The claim stays until its lease runs out; a retry then takes it over.
            failure.addSuppressed(e);
        }
    }

    private static void purge(Connection c, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM idempotency_record WHERE expires_at < ? LIMIT " + PURGE_BATCH)) {
            ps.setLong(1, nowMs);
            ps.executeUpdate();
        }
    }

    private static Row find(Connection c, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT fingerprint, state, owner, reserved_id, locked_until, expires_at, status, headers, body
                FROM idempotency_record WHERE key_hash = ?""")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Response response = null;
                if (COMPLETED.equals(rs.getString("state"))) {
                    String headers = rs.getString("headers");
                    response = new Response(rs.getInt("status"), rs.getString("body"), headers == null ? Map.of()
                            : Json.MAPPER.readValue(headers, new TypeReference<Map<String, String>>() { }));
                }
                return new Row(rs.getString("fingerprint"), rs.getString("state"), rs.getString("owner"),
                        rs.getString("reserved_id"), rs.getLong("locked_until"), rs.getLong("expires_at"), response);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("idempotency record with unreadable headers", e);
        }
    }

    private boolean insert(Connection c, String hash, String fingerprint, String owner, String reserved, long nowMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO idempotency_record (key_hash, fingerprint, state, owner, reserved_id, locked_until, expires_at)
                VALUES (?, ?, 'IN_PROGRESS', ?, ?, ?, ?)""")) {
            ps.setString(1, hash);
            ps.setString(2, fingerprint);
            ps.setString(3, owner);
            ps.setString(4, reserved);
            ps.setLong(5, nowMs + lease.toMillis());
            ps.setLong(6, nowMs + retention.toMillis());
            ps.executeUpdate();
            return true;
        } catch (SQLIntegrityConstraintViolationException e) {
            if (e.getErrorCode() == DUPLICATE_KEY) {
                return false; // another request claimed it first
            }
            throw e;
        }
    }

    /** renew claims a key whose record expired, as if it were new. */
    private boolean renew(Connection c, String hash, String fingerprint, String owner, String reserved, long nowMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE idempotency_record
                SET fingerprint = ?, state = 'IN_PROGRESS', owner = ?, reserved_id = ?, locked_until = ?, expires_at = ?,
                    status = NULL, headers = NULL, body = NULL
                WHERE key_hash = ? AND expires_at < ?""")) {
            ps.setString(1, fingerprint);
            ps.setString(2, owner);
            ps.setString(3, reserved);
            ps.setLong(4, nowMs + lease.toMillis());
            ps.setLong(5, nowMs + retention.toMillis());
            ps.setString(6, hash);
            ps.setLong(7, nowMs);
            return ps.executeUpdate() == 1;
        }
    }

    /** takeOver moves a claim whose lease ran out to a new owner; it keeps the reserved id. */
    private boolean takeOver(Connection c, String hash, String oldOwner, String owner, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE idempotency_record SET owner = ?, locked_until = ?
                WHERE key_hash = ? AND state = 'IN_PROGRESS' AND owner = ? AND locked_until < ?""")) {
            ps.setString(1, owner);
            ps.setLong(2, nowMs + lease.toMillis());
            ps.setString(3, hash);
            ps.setString(4, oldOwner);
            ps.setLong(5, nowMs);
            return ps.executeUpdate() == 1;
        }
    }

    private int complete(Connection c, String hash, String owner, Response response, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE idempotency_record
                SET state = 'COMPLETED', owner = NULL, status = ?, headers = ?, body = ?, expires_at = ?
                WHERE key_hash = ? AND owner = ? AND state = 'IN_PROGRESS'""")) {
            ps.setInt(1, response.status());
            ps.setString(2, Json.write(response.headers()));
            ps.setString(3, response.body());
            ps.setLong(4, nowMs + retention.toMillis());
            ps.setString(5, hash);
            ps.setString(6, owner);
            return ps.executeUpdate();
        }
    }

    private static int delete(Connection c, String hash, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM idempotency_record WHERE key_hash = ? AND owner = ? AND state = 'IN_PROGRESS'")) {
            ps.setString(1, hash);
            ps.setString(2, owner);
            return ps.executeUpdate();
        }
    }

    private <T> T sql(Transactions.SqlWork<T> work) {
        try {
            return transactions.withConnection(work);
        } catch (SQLException e) {
            throw new IdempotencyStoreException("settling an idempotency key failed", e);
        }
    }

    /** hash is the SHA-256 (hex) of a scoped key: fixed length, whatever the key. */
    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ClaimLostException: our claim was taken over while the create ran; the create rolls back. */
    private static final class ClaimLostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClaimLostException() {
            super("idempotency claim taken over", null, false, false);
        }
    }

    /** IdempotencyStoreException is a database failure of the store (a lost connection maps to 503). */
    public static final class IdempotencyStoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IdempotencyStoreException(String message, SQLException cause) {
            super(message, cause);
        }
    }
}
