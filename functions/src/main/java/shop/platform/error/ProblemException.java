package shop.platform.error;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * ProblemException is an error a client can act on, carried up to the one HTTP mapper that turns
 * it into an RFC 9457 {@code application/problem+json} response. The subclasses name the status.
 */
public class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** TYPE_BASE prefixes every problem type; the suffix is stable and documented in docs/openapi.yaml. */
    public static final String TYPE_BASE = "https://shop.example/problems/";

    private final int status;
    private final String slug;
    private final String title;
    private final transient Map<String, Object> extensions;
    private final Duration retryAfter;

    /** Creates a problem with a status, a stable type slug, a short title and a detail for people. */
    public ProblemException(int status, String slug, String title, String detail, Map<String, Object> extensions) {
        this(status, slug, title, detail, extensions, null);
    }

    /** Creates a problem that tells the client when to retry (the response's {@code Retry-After}). */
    public ProblemException(int status, String slug, String title, String detail, Map<String, Object> extensions,
                            Duration retryAfter) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.extensions = extensions == null ? Map.of() : new LinkedHashMap<>(extensions);
        this.retryAfter = retryAfter;
    }

    /** retryAfter is how long a client should wait before retrying, when the problem says. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** status is the HTTP status. */
    public int status() {
        return status;
    }

    /** type is the problem type URI. */
    public String type() {
        return TYPE_BASE + slug;
    }

    /** title is the short summary of the problem type. */
    public String title() {
        return title;
    }

    /** detail is the explanation of this occurrence. */
    public String detail() {
        return getMessage();
    }

    /** extensions are extra members of the problem body (errors, shortages...). */
    public Map<String, Object> extensions() {
        return extensions;
    }
}
