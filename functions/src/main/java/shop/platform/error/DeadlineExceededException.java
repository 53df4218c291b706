package shop.platform.error;

import java.time.Duration;
import java.util.Map;

/**
 * DeadlineExceededException is a 503: the request could not finish before its deadline (see
 * {@code shop.platform.deadline.Deadline}), waiting for a dependency; nothing was left half-written
 * (a transaction that did not commit rolled back). Retry later.
 */
public final class DeadlineExceededException extends ProblemException {
    private static final long serialVersionUID = 1L;
    /** RETRY_AFTER is what the response's Retry-After says. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    /** Creates the exception naming what the request was waiting for when its time ran out. */
    public DeadlineExceededException(String waitingFor, Throwable cause) {
        super(503, "deadline-exceeded", "Service unavailable",
                "The request could not finish in time waiting for " + waitingFor + "; retry later.",
                Map.of("waitingFor", waitingFor), RETRY_AFTER);
        if (cause != null) {
            initCause(cause);
        }
    }
}
