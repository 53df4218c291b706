package shop.media;

import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UploadCompletion records an uploaded image on its target once S3 says the object arrived, after
 * checking it against its ticket (the size and Content-Type that were promised) and with
 * {@link ImageInspector} (really that image format, within the pixel limits, whole). A verified
 * upload is copied to its served key under {@code images/} with the headers the server sets
 * (decoded Content-Type, a year's immutable Cache-Control, inline Content-Disposition), its URL is
 * recorded on the target, the ticket moves to STORED, and the upload object is deleted.
 *
 * <p>S3 delivers events at least once and in no particular order, and Lambda retries a failed
 * invocation, so every step is safe to repeat, and each event only says "look at this key again":
 * <ul>
 *   <li>A PENDING ticket is decided by the object at its key now, whichever event arrives. The check
 *       reads and the copy takes exactly the object that was looked at (pinned by its ETag); if it was
 *       replaced meanwhile, nothing is decided and the newer object's event decides.</li>
 *   <li>The steps run in an order that a retry completes: copy, record the URL on the target
 *       (guarded: never twice), move the ticket (conditional on the state read), delete the upload.
 *       The URL is never recorded before its copy exists, and the upload is deleted only once the
 *       ticket says STORED, so a retry finds either the upload (and redoes the idempotent steps) or
 *       a STORED ticket.</li>
 *   <li>A decided ticket (STORED or REJECTED) takes no second object: any event for its key, a
 *       duplicate, an older one or a newer PUT through the same URL, deletes what lies at the upload
 *       key and changes nothing else. The served copy of a STORED ticket never changes, which is why
 *       it can be cached for a year, and a retried event after the upload object is gone neither
 *       un-records nor re-records the image.</li>
 *   <li>A rejection marks the ticket first and deletes second, so a retry after a failed delete
 *       (ticket REJECTED) deletes again.</li>
 * </ul>
 *
 * <p>An object with no ticket, or whose ticket has expired, is logged and left alone (the bucket's
 * lifecycle rule expires it). Transient failures ({@link shop.platform.error.DependencyUnavailableException})
 * propagate so the invocation is retried; an invalid object is a final answer, not a failure.
 */
public final class UploadCompletion {
    private static final Logger LOG = LoggerFactory.getLogger(UploadCompletion.class);

    private final UploadTicketRepository tickets;
    private final TargetRepository targets;
    private final ObjectStore objects;
    private final ImageInspector inspector;
    private final String publicBaseUrl;
    private final Clock clock;

    /** CACHE_CONTROL is what a served image carries: its key is never reused, so caches keep it a year. */
    public static final String CACHE_CONTROL = "public, max-age=31536000, immutable";

    /** Creates the service; a trailing slash of {@code publicBaseUrl} is dropped. */
    public UploadCompletion(UploadTicketRepository tickets, TargetRepository targets, ObjectStore objects,
                            ImageInspector inspector, String publicBaseUrl, Clock clock) {
        this.tickets = tickets;
        this.targets = targets;
        this.objects = objects;
        this.inspector = inspector;
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

        /** Rejected: the object did not keep the ticket's promise (or its target went away); it was deleted. */
        record Rejected(String uploadId, String reason) implements Outcome {
        }

        /** Ignored: nothing decided (no ticket, expired, already decided, object gone or replaced meanwhile). */
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
        return ticket.status() == UploadStatus.PENDING ? decide(ticket, event) : alreadyDecided(ticket, event);
    }

    private Outcome decide(UploadTicket ticket, ObjectCreated event) {
        Check check = check(ticket);
        return switch (check) {
            case Check.Missing m -> ignored(ticket.key(), "object no longer exists");
            case Check.Replaced r -> ignored(ticket.key(), "object replaced while it was checked; the newer one's event decides");
            case Check.Bad bad -> reject(ticket, bad.reason(), event, false);
            case Check.Good good -> store(ticket, good, event);
        };
    }

    private Outcome store(UploadTicket ticket, Check.Good good, ObjectCreated event) {
        String served = UploadKey.servedKey(ticket.key());
        try {
            objects.publish(ticket.key(), good.etag(), served, new ObjectStore.ServedHeaders(good.type().mediaType(),
                    CACHE_CONTROL, "inline; filename=\"" + ticket.uploadId() + "." + good.type().extension() + "\""));
        } catch (ObjectStore.ObjectChangedException e) {
            return ignored(ticket.key(), "object replaced while it was copied; the newer one's event decides");
        }
        String url = publicBaseUrl + "/" + served;
        TargetRepository.Change change = targets.attach(ticket.target(), ticket.targetId(), ticket.slot(), url);
        if (change == TargetRepository.Change.GONE) {
            return reject(ticket, "the " + ticket.target().wire() + " " + ticket.targetId() + " no longer exists", event,
                    true);
        }
        if (change == TargetRepository.Change.FULL) {
            return reject(ticket, "the " + ticket.slot() + " images of goods " + ticket.targetId() + " are full ("
                    + TargetRepository.MAX_LIST_IMAGES + ")", event, true);
        }
        if (!tickets.transition(ticket.uploadId(), UploadStatus.PENDING, ticket.sequencer(), UploadStatus.STORED,
                seq(event), Optional.of(url), Optional.empty(), clock.instant())) {
            return lostRace(ticket, url);
        }
        objects.delete(ticket.key());
        LOG.info("upload {} ({} x {} {}) stored on {} {} {}: {}", ticket.uploadId(), good.width(), good.height(),
                good.type(), ticket.target().wire(), ticket.targetId(), ticket.slot(), url);
        return new Outcome.Stored(ticket.uploadId(), url);
    }

    /**
     * lostRace: another delivery decided the ticket between this one's read and its update. If it
     * stored the same URL, all is as it should be; if it rejected the ticket, the URL this delivery
     * recorded comes off the target again, and so does its copy.
     */
    private Outcome lostRace(UploadTicket ticket, String url) {
        Optional<UploadTicket> now = tickets.find(ticket.uploadId());
        if (now.isPresent() && now.get().status() == UploadStatus.STORED && now.get().imageUrl().equals(Optional.of(url))) {
            return ignored(ticket.key(), "stored by a concurrent delivery");
        }
        targets.detach(ticket.target(), ticket.targetId(), ticket.slot(), url);
        objects.delete(UploadKey.servedKey(ticket.key()));
        return ignored(ticket.key(), "ticket decided otherwise by a concurrent delivery; the image was taken off again");
    }

    private Outcome alreadyDecided(UploadTicket ticket, ObjectCreated event) {
        // Nothing at the upload key of a decided ticket is served or used again.
        objects.delete(ticket.key());
        if (ticket.status() == UploadStatus.REJECTED) {
            // Finish a rejection whose deletes may have failed; a REJECTED ticket's copy is never used.
            objects.delete(UploadKey.servedKey(ticket.key()));
        }
        String which = ticket.sequencer().map(s -> switch (Integer.signum(Sequencer.compare(event.sequencer(), s))) {
            case -1 -> "event " + event.sequencer() + " is older than " + s;
            case 0 -> "duplicate event " + event.sequencer();
            default -> "a newer object at its key";
        }).orElse("an event");
        return ignored(ticket.key(), which + " for a ticket already " + ticket.status() + "; the upload object was deleted");
    }

    private Outcome reject(UploadTicket ticket, String reason, ObjectCreated event, boolean published) {
        if (!tickets.transition(ticket.uploadId(), UploadStatus.PENDING, ticket.sequencer(), UploadStatus.REJECTED,
                seq(event), Optional.empty(), Optional.of(reason), clock.instant())) {
            return ignored(ticket.key(), "ticket changed concurrently");
        }
        objects.delete(ticket.key());
        if (published) {
            objects.delete(UploadKey.servedKey(ticket.key()));
        }
        LOG.info("upload {} rejected and its object deleted: {}", ticket.uploadId(), reason);
        return new Outcome.Rejected(ticket.uploadId(), reason);
    }

    /** Check is the verdict on an object against its ticket. */
    private sealed interface Check {
        record Good(String etag, ImageType type, int width, int height) implements Check {
        }

        record Bad(String reason) implements Check {
        }

        record Missing() implements Check {
        }

        record Replaced() implements Check {
        }
    }

    private Check check(UploadTicket ticket) {
        Optional<ObjectStore.ObjectInfo> found = objects.head(ticket.key());
        if (found.isEmpty()) {
            return new Check.Missing();
        }
        ObjectStore.ObjectInfo info = found.get();
        if (info.size() != ticket.contentLength()) {
            return new Check.Bad("the object has " + info.size() + " bytes, " + ticket.contentLength()
                    + " were promised");
        }
        String storedType = mediaType(info.contentType());
        if (!storedType.equals(ticket.type().mediaType())) {
            return new Check.Bad("the object's Content-Type is '" + storedType + "', "
                    + ticket.type().mediaType() + " was promised");
        }
        byte[] head;
        byte[] tail;
        try {
            head = objects.read(ticket.key(), info.etag(), 0, (int) Math.min(info.size(), ImageInspector.HEAD_WINDOW));
            int tailLength = (int) Math.min(info.size(), ImageInspector.TAIL_BYTES);
            tail = head.length == info.size() ? Arrays.copyOfRange(head, head.length - tailLength, head.length)
                    : objects.read(ticket.key(), info.etag(), info.size() - tailLength, tailLength);
        } catch (ObjectStore.ObjectChangedException e) {
            return new Check.Replaced();
        }
        return switch (inspector.inspect(ticket.type(), info.size(), head, tail)) {
            case ImageInspector.Verdict.Invalid invalid -> new Check.Bad(invalid.reason());
            case ImageInspector.Verdict.Valid valid -> new Check.Good(info.etag(), valid.type(), valid.width(),
                    valid.height());
        };
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
        LOG.info("object {}: nothing decided: {}", key, why);
        return new Outcome.Ignored(why);
    }
}
