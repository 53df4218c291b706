package shop.platform.http;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import shop.platform.aws.SdkFailures;
import shop.platform.db.Bounded;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.ProblemException;

/**
 * Problems is the one mapper from exceptions to RFC 9457 {@code application/problem+json}
 * responses: a {@link ProblemException} keeps its status; a lost database connection, a statement
 * stopped at its time limit, or an AWS service out of reach ({@link SdkFailures}), is a 503;
 * anything else is a 500 whose body says nothing about the cause (the log has it).
 */
public final class Problems {
    /** CONTENT_TYPE of every error body. */
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final int ER_QUERY_INTERRUPTED = 1317;

    private Problems() {
    }

    /**
     * known maps a known exception; empty for an unexpected one. A statement the server stopped at
     * its time limit is a {@link DeadlineExceededException}; a lost or unreachable database is one
     * too when the request's deadline has passed (the wait was cut by it), else a
     * {@link DependencyUnavailableException}; an AWS SDK call that could not reach its service is
     * mapped alike ({@link SdkFailures}).
     */
    public static java.util.Optional<ProblemException> known(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ProblemException p) {
                return java.util.Optional.of(p);
            }
            // Before the causes: an SDK failure wraps the I/O exception that a lost database would throw.
            if (c instanceof software.amazon.awssdk.core.exception.SdkException s && SdkFailures.unavailable(s)) {
                return java.util.Optional.of(SdkFailures.problem(SdkFailures.dependency(s), s));
            }
            if (c instanceof SQLException s && stoppedByTimeLimit(s)) {
                return java.util.Optional.of(new DeadlineExceededException("the database", c));
            }
            if (c instanceof SQLTransientConnectionException || c instanceof SQLNonTransientConnectionException
                    || c instanceof SQLRecoverableException || c instanceof java.net.ConnectException
                    || c instanceof java.net.SocketTimeoutException) {
                return java.util.Optional.of(Deadline.current().expired()
                        ? new DeadlineExceededException("the database", c)
                        : new DependencyUnavailableException("the database", c));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * stoppedByTimeLimit tells a statement stopped by its time limit: MariaDB's max_statement_time
     * (1969), MySQL's max_execution_time (3024), an interrupted query (1317), a JDBC query timeout.
     */
    static boolean stoppedByTimeLimit(SQLException e) {
        return e instanceof SQLTimeoutException || Bounded.exceededTimeLimit(e)
                || e.getErrorCode() == ER_QUERY_INTERRUPTED;
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
