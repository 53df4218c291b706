package shop.platform.aws;

import java.io.IOException;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.ProblemException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * SdkFailures tells which AWS SDK failures mean that a service cannot be reached now, and turns
 * them into the 503 problems, the way {@code Problems} treats a lost database: a call cut by the
 * request's deadline ({@link SdkDeadline}) is a {@link DeadlineExceededException}, any other time-out,
 * unreachable endpoint, 5xx or throttling (what is left after the SDK's retries) a
 * {@link DependencyUnavailableException}. Both carry {@code Retry-After}.
 */
public final class SdkFailures {
    private SdkFailures() {
    }

    /**
     * unavailable tells a failure to reach the service: a call or attempt time-out, an I/O failure
     * (refused, reset, unknown host, read time-out), a 5xx answer or throttling. Errors of the request
     * itself (a failed condition, a missing table, access denied) are not.
     */
    public static boolean unavailable(SdkException e) {
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return true;
        }
        if (e instanceof SdkServiceException s) {
            return s.statusCode() >= 500 || s.isThrottlingException();
        }
        if (e instanceof SdkClientException) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof IOException) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * problem is the 503 for a failure of {@code dependency}: {@link DeadlineExceededException} when the
     * running request's deadline has (all but) passed, so the call was cut by it, else
     * {@link DependencyUnavailableException}.
     */
    public static ProblemException problem(String dependency, SdkException e) {
        Deadline deadline = Deadline.current();
        return deadline.bounded() && deadline.remaining().compareTo(SdkDeadline.MIN_CALL_TIME) < 0
                ? new DeadlineExceededException(dependency, e)
                : new DependencyUnavailableException(dependency, e);
    }

    /** dependency names the service that failed, as far as the failure tells. */
    public static String dependency(SdkException e) {
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null
                && s.awsErrorDetails().serviceName() != null) {
            return s.awsErrorDetails().serviceName();
        }
        return "an AWS service";
    }
}
