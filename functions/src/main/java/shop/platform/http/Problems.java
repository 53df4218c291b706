package shop.platform.http;

import java.sql.SQLTransientConnectionException;
import java.sql.SQLNonTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.ProblemException;

/**
 * Problems is the one mapper from exceptions to RFC 9457 {@code application/problem+json}
 * responses: a {@link ProblemException} keeps its status; a lost database connection is a 503;
 * anything else is a 500 whose body says nothing about the cause (the log has it).
 */
public final class Problems {
    /** CONTENT_TYPE of every error body. */
    public static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    /** toProblem maps a known exception; empty for an unexpected one. */
    public static java.util.Optional<ProblemException> known(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ProblemException p) {
                return java.util.Optional.of(p);
            }
            if (c instanceof SQLTransientConnectionException || c instanceof SQLNonTransientConnectionException
                    || c instanceof java.net.ConnectException) {
                return java.util.Optional.of(new DependencyUnavailableException("the database", c));
            }
        }
        return java.util.Optional.empty();
    }

    /** body builds the problem document for a known problem. */
    public static Map<String, Object> body(ProblemException p, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.detail());
        if (instance != null && !instance.isEmpty()) {
            body.put("instance", instance);
        }
        // Extensions never replace the standard members (a "status" extension once did).
        p.extensions().forEach(body::putIfAbsent);
        return body;
    }

    /** internal builds the body of a 500, which names nothing but the request id. */
    public static Map<String, Object> internal(String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", ProblemException.TYPE_BASE + "internal");
        body.put("title", "Internal Server Error");
        body.put("status", 500);
        body.put("detail", "Something went wrong on our side. Quote requestId when you report it.");
        body.put("requestId", requestId);
        return body;
    }
}
