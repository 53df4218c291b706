package shop.platform.idempotency;

import java.time.Instant;

/**
 * IdempotencyStore remembers, per key, the request a client sent and the response it got, so that a
 * retried create answers the first response again instead of creating twice.
 */
public interface IdempotencyStore {

    /** Claim is the outcome of claiming a key. */
    sealed interface Claim permits Claim.Fresh, Claim.Replay, Claim.InProgress, Claim.Mismatch {
        /** Fresh: nobody used the key (or its record expired); run the request, then complete or release. */
        record Fresh() implements Claim {
        }

        /** Replay: the same request completed before; answer this response again. */
        record Replay(int status, String body) implements Claim {
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

    /** complete stores the response of a claimed key until the record expires. */
    void complete(String key, String fingerprint, int status, String body, Instant now);

    /** release drops a claim whose request failed, so that a retry runs it again. */
    void release(String key, String fingerprint);
}
