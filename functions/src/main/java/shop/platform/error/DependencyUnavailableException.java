package shop.platform.error;

import java.time.Duration;
import java.util.Map;

/** DependencyUnavailableException is a 503: a dependency (database, Redis, S3, DynamoDB) is down; retry later. */
public final class DependencyUnavailableException extends ProblemException {
    private static final long serialVersionUID = 1L;
    /** RETRY_AFTER is what the response's Retry-After says. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    /** Creates the exception naming the dependency. */
    public DependencyUnavailableException(String dependency, Throwable cause) {
        super(503, "dependency-unavailable", "Service unavailable",
                dependency + " is unavailable; retry later.", Map.of("dependency", dependency), RETRY_AFTER);
        if (cause != null) {
            initCause(cause);
        }
    }
}
