package shop.media;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * UploadTicket is what the server promised when it issued an upload URL: which key, for which
 * target and slot, of which type and exact size, until when, and for whom; then what became of it.
 *
 * <p>Three times bound it, each judged against what it is about:
 * <ul>
 *   <li>{@code expiresAt}: the URL stops working (S3 refuses a PUT that starts later).</li>
 *   <li>{@code validUntil} = {@code expiresAt} + {@link #GRACE}: the latest time an object may have
 *       been <em>created</em> at its key and still count. A PUT that started in time may finish
 *       later; an object created after this was not made through the URL in its lifetime. This is
 *       judged on the S3 event's own {@code eventTime}, not on when the handler runs.</li>
 *   <li>{@link #endOfLife()} = {@code validUntil} + {@link #REDRIVE_WINDOW}: until then an event of
 *       an object created in time may still arrive (Lambda's retries and maximum event age, then
 *       FailedEventsQueue's retention for a redrive), so the ticket must still be there: its
 *       DynamoDB {@code ttl} is at least this, and the bucket's lifecycle rule keeps an unverified
 *       upload at least this long. Past it a PENDING ticket counts as absent, whatever DynamoDB's
 *       TTL (which deletes only eventually) has done with it.</li>
 * </ul>
 *
 * @param uploadId      random id, also in the key
 * @param key           the object key
 * @param target        what the image belongs to
 * @param targetId      its id
 * @param slot          which image of the target
 * @param type          the promised format
 * @param contentLength the promised exact size in bytes
 * @param expiresAt     when the presigned URL stops working
 * @param validUntil    the latest creation time of an object that counts ({@code expiresAt} + {@link #GRACE})
 * @param requestedBy   the subject of the admin who asked
 * @param createdAt     when it was issued
 * @param status        where it stands
 * @param imageUrl      the public URL, once stored
 * @param reason        why it was rejected
 * @param sequencer     the S3 sequencer of the last event applied to it
 */
public record UploadTicket(String uploadId, String key, UploadTarget target, long targetId, String slot,
                           ImageType type, long contentLength, Instant expiresAt, Instant validUntil,
                           String requestedBy, Instant createdAt, UploadStatus status,
                           Optional<String> imageUrl, Optional<String> reason, Optional<String> sequencer) {
    /**
     * GRACE is how long after the URL's expiry an object may still be created by a PUT that started
     * in time (S3 checks the expiry when a PUT starts; a slow client finishes later).
     */
    public static final Duration GRACE = Duration.ofHours(1);
    /**
     * REDRIVE_WINDOW is how long after {@code validUntil} an event of an object created in time may
     * still reach the handler: Lambda keeps an asynchronous event up to its MaximumEventAge (6 hours
     * for UploadCompleteFunction), then FailedEventsQueue keeps it 14 days for {@code ./dev redrive}.
     * 15 days covers both with a margin for the redrive itself; MediaTemplateTest holds the template
     * to it.
     */
    public static final Duration REDRIVE_WINDOW = Duration.ofDays(15);
    /** KEEP_DONE is how long at least a stored or rejected ticket stays readable through GET /uploads/{id}. */
    public static final Duration KEEP_DONE = Duration.ofDays(7);

    /** endOfLife is when no event of this ticket's object can arrive any more, redriven or not. */
    public Instant endOfLife() {
        return validUntil.plus(REDRIVE_WINDOW);
    }

    /** ended tells whether the ticket no longer counts at all: past {@link #endOfLife()}. */
    public boolean ended(Instant now) {
        return now.isAfter(endOfLife());
    }

    /** admits tells whether an object created at {@code createdAt} was made within the URL's lifetime (and grace). */
    public boolean admits(Instant createdAt) {
        return !createdAt.isAfter(validUntil);
    }

    /**
     * keepDecidedUntil is how long a ticket decided at {@code now} is kept: {@link #KEEP_DONE}, and at
     * least its end of life, so that a redriven event of its object still finds it decided (and
     * finishes what a failed delete left) instead of finding no ticket.
     */
    public Instant keepDecidedUntil(Instant now) {
        Instant readable = now.plus(KEEP_DONE);
        return readable.isAfter(endOfLife()) ? readable : endOfLife();
    }
}
