package shop.media;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * UploadTicket is what the server promised when it issued an upload URL: which key, for which
 * target and slot, of which type and exact size, until when, and for whom; then what became of it.
 *
 * <p>The URL stops working at {@code expiresAt} (S3 refuses a PUT that starts later), but a PUT that
 * started in time may finish later, S3 may deliver its event late, and Lambda retries a failed
 * invocation after one and then two more minutes. So the ticket stays valid for {@link #GRACE}
 * after the URL expires ({@code validUntil}); past that it counts as absent, whatever DynamoDB's TTL
 * (which deletes expired items only eventually) has done with it.
 *
 * @param uploadId      random id, also in the key
 * @param key           the object key
 * @param target        what the image belongs to
 * @param targetId      its id
 * @param slot          which image of the target
 * @param type          the promised format
 * @param contentLength the promised exact size in bytes
 * @param expiresAt     when the presigned URL stops working
 * @param validUntil    when the ticket stops counting ({@code expiresAt} + {@link #GRACE})
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
    /** GRACE is how long after the URL's expiry the ticket still accepts its object's event. */
    public static final Duration GRACE = Duration.ofHours(1);
    /** KEEP_DONE is how long a stored or rejected ticket stays readable through GET /uploads/{id}. */
    public static final Duration KEEP_DONE = Duration.ofDays(7);

    /** expired tells whether the ticket no longer counts. */
    public boolean expired(Instant now) {
        return now.isAfter(validUntil);
    }
}
