package shop.media;

import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UploadCompletion records an uploaded image on its target once S3 says the object arrived, after
 * checking it against its ticket: the size and Content-Type that were promised, and bytes that
 * really are that image format.
 *
 * <p>S3 delivers events at least once and in no particular order, so every step is safe to repeat:
 * <ul>
 *   <li>The ticket remembers the {@code sequencer} of the last event applied to its key; an equal
 *       one is a duplicate and an older one is stale: both change nothing.</li>
 *   <li>The target write is guarded (no second gallery entry), and the ticket moves on only with a
 *       conditional update from the state that was read. A crash between the two is repaired by the
 *       retry: the ticket is still PENDING, the guarded write does nothing, the ticket moves on.</li>
 *   <li>A rejection marks the ticket first and deletes the object second, so a retry after a failed
 *       delete (same sequencer, ticket REJECTED) deletes again.</li>
 * </ul>
 * A presigned URL can be used more than once before it expires; a newer object at a STORED key is
 * checked again, and if it no longer passes, its URL is taken off the target, the ticket rejected
 * and the object deleted.
 *
 * <p>An object with no ticket, or whose ticket has expired, is logged and left alone. Transient
 * failures ({@link shop.platform.error.DependencyUnavailableException}) propagate so the invocation
 * is retried; an invalid object is a final answer, not a failure.
 */
public final class UploadCompletion {
    private static final Logger LOG = LoggerFactory.getLogger(UploadCompletion.class);

    private final UploadTicketRepository tickets;
    private final TargetRepository targets;
    private final ObjectStore objects;
    private final String publicBaseUrl;
    private final Clock clock;

    /** Creates the service; {@code publicBaseUrl} has no trailing slash. */
    public UploadCompletion(UploadTicketRepository tickets, TargetRepository targets, ObjectStore objects,
                            String publicBaseUrl, Clock clock) {
        this.tickets = tickets;
        this.targets = targets;
        this.objects = objects;
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
        this.clock = clock;
    }

    /**
     * ObjectCreated is one S3 record: the decoded key and the event's sequencer.
     *
     * @param key       the object key, URL-decoded
     * @param sequencer S3's ordering token for the key (may be null)
     */
    public record ObjectCreated(String key, String sequencer) {
    }

    /** Outcome is what one record led to. */
    public sealed interface Outcome {
        /** Stored: the image is recorded on its target (or already was). */
        record Stored(String uploadId, String imageUrl) implements Outcome {
        }

        /** Rejected: the object did not keep the ticket's promise; it was deleted. */
        record Rejected(String uploadId, String reason) implements Outcome {
        }

        /** Ignored: nothing to do (no ticket, expired, duplicate, stale, object gone). */
        record Ignored(String why) implements Outcome {
        }
    }

    /** complete handles one ObjectCreated record. */
    public Outcome complete(ObjectCreated event) {
        String key = event.key();
        Optional<UploadKey> parsed = UploadKey.parse(key);
        if (parsed.isEmpty()) {
            return ignored(key, "not a key the server issued, so no ticket");
        }
        Optional<UploadTicket> found = tickets.find(parsed.get().uploadId()).filter(t -> t.key().equals(key));
        if (found.isEmpty()) {
            return ignored(key, "no ticket");
        }
        UploadTicket ticket = found.get();
        if (ticket.expired(clock.instant())) {
            return ignored(key, "ticket expired at " + ticket.validUntil());
        }
        if (ticket.sequencer().isPresent()) {
            int order = Sequencer.compare(event.sequencer(), ticket.sequencer().get());
            if (order < 0) {
                return ignored(key, "event " + event.sequencer() + " is older than " + ticket.sequencer().get());
            }
            if (order == 0) {
                if (ticket.status() == UploadStatus.REJECTED) {
                    objects.delete(key); // finish a rejection whose delete may have failed
                }
                return ignored(key, "duplicate event " + event.sequencer());
            }
        }
        return switch (ticket.status()) {
            case PENDING -> first(ticket, event);
            case STORED -> replaced(ticket, event);
            case REJECTED -> {
                objects.delete(key);
                tickets.transition(ticket.uploadId(), UploadStatus.REJECTED, ticket.sequencer(), UploadStatus.REJECTED,
                        seq(event), Optional.empty(), ticket.reason(), clock.instant());
                yield ignored(key, "ticket already rejected; the new object was deleted");
            }
        };
    }

    private Outcome first(UploadTicket ticket, ObjectCreated event) {
        Check check = check(ticket);
        if (check instanceof Check.Missing) {
            return ignored(ticket.key(), "object no longer exists");
        }
        if (check instanceof Check.Bad bad) {
            return reject(ticket, bad.reason(), event);
        }
        String url = publicBaseUrl + "/" + ticket.key();
        TargetRepository.Change change = targets.attach(ticket.target(), ticket.targetId(), ticket.slot(), url);
        if (change == TargetRepository.Change.GONE) {
            return reject(ticket, "the " + ticket.target().wire() + " " + ticket.targetId() + " no longer exists", event);
        }
        if (change == TargetRepository.Change.FULL) {
            return reject(ticket, "the " + ticket.slot() + " images of goods " + ticket.targetId() + " are full ("
                    + TargetRepository.MAX_LIST_IMAGES + ")", event);
        }
        if (!tickets.transition(ticket.uploadId(), UploadStatus.PENDING, ticket.sequencer(), UploadStatus.STORED,
                seq(event), Optional.of(url), Optional.empty(), clock.instant())) {
            return ignored(ticket.key(), "ticket changed concurrently");
        }
        LOG.info("upload {} stored on {} {} {}: {}", ticket.uploadId(), ticket.target().wire(), ticket.targetId(),
                ticket.slot(), url);
        return new Outcome.Stored(ticket.uploadId(), url);
    }

    private Outcome replaced(UploadTicket ticket, ObjectCreated event) {
        Check check = check(ticket);
        if (check instanceof Check.Missing) {
            return ignored(ticket.key(), "object no longer exists");
        }
        String url = ticket.imageUrl().orElseThrow();
        if (check instanceof Check.Bad bad) {
            targets.detach(ticket.target(), ticket.targetId(), ticket.slot(), url);
            return reject(ticket, "replaced by an object that fails the check: " + bad.reason(), event);
        }
        tickets.transition(ticket.uploadId(), UploadStatus.STORED, ticket.sequencer(), UploadStatus.STORED,
                seq(event), Optional.of(url), Optional.empty(), clock.instant());
        return new Outcome.Stored(ticket.uploadId(), url);
    }

    private Outcome reject(UploadTicket ticket, String reason, ObjectCreated event) {
        if (!tickets.transition(ticket.uploadId(), ticket.status(), ticket.sequencer(), UploadStatus.REJECTED,
                seq(event), Optional.empty(), Optional.of(reason), clock.instant())) {
            return ignored(ticket.key(), "ticket changed concurrently");
        }
        objects.delete(ticket.key());
        LOG.info("upload {} rejected and its object deleted: {}", ticket.uploadId(), reason);
        return new Outcome.Rejected(ticket.uploadId(), reason);
    }

    /** Check is the verdict on an object against its ticket. */
    private sealed interface Check {
        record Good() implements Check {
        }

        record Bad(String reason) implements Check {
        }

        record Missing() implements Check {
        }
    }

    private Check check(UploadTicket ticket) {
        Optional<ObjectStore.ObjectInfo> info = objects.head(ticket.key());
        if (info.isEmpty()) {
            return new Check.Missing();
        }
        if (info.get().size() != ticket.contentLength()) {
            return new Check.Bad("the object has " + info.get().size() + " bytes, " + ticket.contentLength()
                    + " were promised");
        }
        String storedType = mediaType(info.get().contentType());
        if (!storedType.equals(ticket.type().mediaType())) {
            return new Check.Bad("the object's Content-Type is '" + storedType + "', "
                    + ticket.type().mediaType() + " was promised");
        }
        byte[] head = objects.firstBytes(ticket.key(), ImageType.HEAD_BYTES);
        Optional<ImageType> actual = ImageType.detect(head);
        if (actual.isEmpty()) {
            return new Check.Bad("the bytes are not a " + ticket.type() + " image (nor any accepted image format)");
        }
        if (actual.get() != ticket.type()) {
            return new Check.Bad("the bytes are a " + actual.get() + " image, a " + ticket.type() + " was promised");
        }
        return new Check.Good();
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static String seq(ObjectCreated event) {
        // DynamoDB keeps no empty strings everywhere; "0" sorts with a missing sequencer.
        return event.sequencer() == null || event.sequencer().isBlank() ? "0" : event.sequencer();
    }

    private static Outcome ignored(String key, String why) {
        LOG.info("object {} left alone: {}", key, why);
        return new Outcome.Ignored(why);
    }
}
