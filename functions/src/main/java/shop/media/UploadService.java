package shop.media;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import shop.platform.error.ConflictException;
import shop.platform.error.NotFoundException;
import shop.platform.error.Validation;

/**
 * UploadService issues upload URLs and reports what became of them. Issuing validates everything
 * before anything is stored: the target and slot, the image type, the size, and that the target
 * exists; then it writes the ticket and only then returns the URL.
 */
public final class UploadService {
    private final UploadTicketRepository tickets;
    private final TargetRepository targets;
    private final ObjectStore objects;
    private final Limits limits;
    private final Clock clock;

    /**
     * Limits are the configured bounds of an upload.
     *
     * @param maxBytes the largest object accepted
     * @param urlTtl   how long a presigned URL works
     */
    public record Limits(long maxBytes, Duration urlTtl) {
    }

    /** Creates the service. */
    public UploadService(UploadTicketRepository tickets, TargetRepository targets, ObjectStore objects,
                         Limits limits, Clock clock) {
        this.tickets = tickets;
        this.targets = targets;
        this.objects = objects;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * UploadRequest is the body of {@code POST /uploads}.
     *
     * @param target        goods, banner or brand
     * @param targetId      the target's id
     * @param slot          front, gallery or desc (goods); image (banner); logo (brand)
     * @param contentType   image/jpeg, image/png, image/webp or image/gif
     * @param contentLength the exact size of the file in bytes
     */
    public record UploadRequest(String target, Long targetId, String slot, String contentType, Long contentLength) {
    }

    /**
     * IssuedUpload is the answer of {@code POST /uploads}: PUT the file to {@code url} with
     * {@code headers} before {@code expiresAt}.
     */
    public record IssuedUpload(String uploadId, String method, String url, Map<String, String> headers, String key,
                               Instant expiresAt) {
    }

    /**
     * UploadView is the answer of {@code GET /uploads/{uploadId}}.
     *
     * @param uploadId the id
     * @param status   PENDING, STORED or REJECTED
     * @param imageUrl the public URL once STORED, else null (left out of the JSON)
     * @param reason   why it was REJECTED, else null (left out of the JSON)
     */
    public record UploadView(String uploadId, UploadStatus status, String imageUrl, String reason) {
    }

    /** issue validates a request, stores its PENDING ticket under a new id and returns the presigned PUT. */
    public IssuedUpload issue(UploadRequest request, String requestedBy) {
        return issue(request, requestedBy, UUID.randomUUID().toString());
    }

    /**
     * issue validates a request, stores its PENDING ticket under {@code uploadId} and returns the
     * presigned PUT. When a ticket with that id exists (an earlier run of the same idempotent
     * request, which reserved the id with its key, stored it and then died) it answers that ticket
     * again, with a URL valid until the ticket's own expiry, and stores nothing.
     */
    public IssuedUpload issue(UploadRequest request, String requestedBy, String uploadId) {
        Validation v = new Validation();
        if (request == null) {
            request = new UploadRequest(null, null, null, null, null);
        }
        Optional<UploadTarget> target = Optional.empty();
        v.required("target", request.target());
        if (request.target() != null) {
            target = UploadTarget.parse(request.target());
            v.when(target.isEmpty(), "target", "must be one of " + UploadTarget.names());
        }
        v.required("targetId", request.targetId());
        v.range("targetId", request.targetId(), 1, Long.MAX_VALUE);
        v.required("slot", request.slot());
        if (request.slot() != null && target.isPresent()) {
            v.when(!target.get().hasSlot(request.slot()), "slot",
                    "must be one of " + String.join(", ", target.get().slots().stream().sorted().toList())
                            + " for " + target.get().wire());
        }
        v.required("contentType", request.contentType());
        Optional<ImageType> type = Optional.empty();
        if (request.contentType() != null) {
            type = ImageType.ofMediaType(request.contentType());
            v.when(type.isEmpty(), "contentType", "must be one of " + ImageType.mediaTypes());
        }
        v.required("contentLength", request.contentLength());
        v.range("contentLength", request.contentLength(), 1, limits.maxBytes());
        v.check();

        if (!targets.exists(target.get(), request.targetId())) {
            throw new NotFoundException("No " + target.get().wire() + " with id " + request.targetId() + ".",
                    Map.of("target", target.get().wire(), "targetId", request.targetId()));
        }
        Instant now = clock.instant();
        UploadKey key = new UploadKey(target.get(), request.targetId(), uploadId, type.get());
        ObjectStore.PresignedPut put = objects.presignPut(key.key(), type.get().mediaType(), request.contentLength(),
                limits.urlTtl());
        boolean stored = tickets.create(new UploadTicket(uploadId, key.key(), target.get(), request.targetId(),
                request.slot(), type.get(), request.contentLength(), put.expiresAt(),
                put.expiresAt().plus(UploadTicket.GRACE), requestedBy, now, UploadStatus.PENDING, Optional.empty(),
                Optional.empty(), Optional.empty()));
        if (!stored) {
            return reissue(uploadId, now);
        }
        return new IssuedUpload(uploadId, "PUT", put.url(), put.headers(), key.key(), put.expiresAt());
    }

    /** reissue answers an existing ticket again: a fresh URL for the rest of its validity. */
    private IssuedUpload reissue(String uploadId, Instant now) {
        UploadTicket t = tickets.find(uploadId).orElseThrow(() -> new IllegalStateException(
                "upload " + uploadId + " exists and is gone"));
        if (t.status() != UploadStatus.PENDING || !t.expiresAt().isAfter(now)) {
            throw new ConflictException("upload-closed", "Upload no longer open", "The upload this request created ("
                    + uploadId + ") is " + (t.status() == UploadStatus.PENDING ? "past its URL's expiry" : t.status())
                    + "; ask for a new one with a new Idempotency-Key.", Map.of("uploadId", uploadId));
        }
        ObjectStore.PresignedPut put = objects.presignPut(t.key(), t.type().mediaType(), t.contentLength(),
                Duration.between(now, t.expiresAt()));
        shop.platform.metrics.Metrics.get().count("UploadsReissued");
        return new IssuedUpload(uploadId, "PUT", put.url(), put.headers(), t.key(), t.expiresAt());
    }

    /** status reports a ticket; a PENDING one past its validity counts as absent (404). */
    public UploadView status(String uploadId) {
        NotFoundException missing = new NotFoundException("No upload with id '" + uploadId + "'.");
        if (!UploadKey.isUploadId(uploadId)) {
            throw missing;
        }
        UploadTicket t = tickets.find(uploadId).orElseThrow(() -> missing);
        if (t.status() == UploadStatus.PENDING && t.expired(clock.instant())) {
            throw missing;
        }
        return new UploadView(t.uploadId(), t.status(), t.imageUrl().orElse(null), t.reason().orElse(null));
    }
}
