package shop.media;

import java.time.Instant;
import java.util.Optional;

/**
 * UploadTicketRepository keeps upload tickets. Every change is conditional on the state the caller
 * saw, so two deliveries of the same event racing each other cannot both apply.
 */
public interface UploadTicketRepository {

    /**
     * create stores a new PENDING ticket unless one with its id exists (made by an earlier run of the
     * same idempotent request, whose id was reserved with its key); returns whether it stored it.
     */
    boolean create(UploadTicket ticket);

    /** find returns a ticket by id, expired or not. */
    Optional<UploadTicket> find(String uploadId);

    /**
     * transition moves a ticket from {@code from} (with the sequencer it had, empty for none) to a
     * new status, sequencer, and optionally image URL or reason; false when the ticket was no longer
     * in that state (someone else got there first).
     */
    boolean transition(String uploadId, UploadStatus from, Optional<String> fromSequencer, UploadStatus to,
                       String sequencer, Optional<String> imageUrl, Optional<String> reason, Instant now);
}
