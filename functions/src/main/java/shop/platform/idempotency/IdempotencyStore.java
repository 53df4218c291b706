package shop.platform.idempotency;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * IdempotencyStore remembers, per key, the request a client sent and the response it got, so that a
 * retried create answers the first response again instead of creating twice.
 *
 * <p>The promise every store keeps: a create that took effect is never run again for the same key,
 * even when its invocation died or failed after the effect (a Lambda timeout, a lost connection, a
 * failed write of the response). {@link JdbcIdempotencyStore} keeps it by completing the key in the
 * resource's own transaction; {@link DynamoIdempotencyStore}, whose creates write outside any
 * transaction it could join, by reserving the resource's id with the key so that a second run finds
 * the resource instead of making another.
 */
public interface IdempotencyStore {

    /**
     * Response is an answer as a store keeps it.
     *
     * @param status  the HTTP status
     * @param body    the body as sent
     * @param headers the headers worth replaying (e.g. {@code Location})
     */
    record Response(int status, String body, Map<String, String> headers) {
        /** Creates a response, copying the headers. */
        public Response {
            headers = Map.copyOf(headers);
        }

        /** succeeded tells whether the answer is a 2xx, the only kind a key keeps. */
        public boolean succeeded() {
            return status >= 200 && status < 300;
        }
    }

    /** Claim is the outcome of claiming a key. */
    sealed interface Claim permits Claim.Fresh, Claim.Replay, Claim.InProgress, Claim.Mismatch {
        /**
         * Fresh: this request holds the key now; run it through {@link #execute}.
         *
         * @param owner      the token of this hold (another request may take the key over when the hold's
         *                   lease ran out; the owner's completion then fails)
         * @param reservedId an id reserved for what the key creates: the same for every run of the key, so a
         *                   create that writes outside the store's transaction names its resource with it and
         *                   creates it only if absent
         */
        record Fresh(String owner, String reservedId) implements Claim {
        }

        /** Replay: the same request completed before; answer this response again. */
        record Replay(Response response) implements Claim {
        }

        /** InProgress: the same key is being processed right now by another request. */
        record InProgress() implements Claim {
        }

        /** Mismatch: the key was used with a different request. */
        record Mismatch() implements Claim {
        }
    }

    /** claim atomically takes a key for a request fingerprint, unless a live record has it. */
    Claim claim(String key, String fingerprint, Instant now);

    /**
     * execute runs the create of a fresh claim and settles the key: a 2xx answer completes it (kept
     * until the record expires), any other answer or an exception releases it so that a retry runs
     * again. A create that took effect is never released.
     *
     * @throws shop.platform.error.ConflictException when the claim was taken over meanwhile (the
     *                                               create then took no effect here)
     */
    Response execute(String key, Claim.Fresh claim, Supplier<Response> create, Clock clock);
}
