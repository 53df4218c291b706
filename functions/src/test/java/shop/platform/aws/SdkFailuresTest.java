package shop.platform.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.ProblemException;
import shop.platform.http.Problems;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** Which SDK failures are a 503, and which 503, as Problems answers them. */
class SdkFailuresTest {

    private static AwsServiceException service(int status, String code) {
        return AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).serviceName("DynamoDb").build()).build();
    }

    private static java.util.Optional<ProblemException> answer(Deadline deadline, Exception e) {
        return deadline.run(() -> Problems.known(e));
    }

    @Test
    void outOfReach_isA503_namingTheService() {
        Map<String, SdkException> outOfReach = Map.of(
                "call time-out", ApiCallTimeoutException.create(1000),
                "attempt time-out", ApiCallAttemptTimeoutException.create(1000),
                "refused", SdkClientException.create("Unable to execute HTTP request", new ConnectException("refused")),
                "read time-out", SdkClientException.create("Unable to execute HTTP request",
                        new java.io.UncheckedIOException(new SocketTimeoutException("Read timed out"))),
                "unknown host", SdkClientException.create("Unable to execute HTTP request", new UnknownHostException("x")),
                "5xx", service(500, "InternalServerError"),
                "throttled", service(400, "ThrottlingException"));
        outOfReach.forEach((what, e) -> {
            assertTrue(SdkFailures.unavailable(e), what);
            ProblemException p = answer(Deadline.in(Duration.ofSeconds(10)), e).orElseThrow(() -> new AssertionError(what));
            assertInstanceOf(DependencyUnavailableException.class, p, what);
            assertEquals(503, p.status(), what);
            assertTrue(p.retryAfter().isPresent(), what);
            // Walked before the causes: a read time-out of the SDK is not the database's.
            assertEquals(e instanceof AwsServiceException ? "DynamoDb" : "an AWS service", p.extensions().get("dependency"), what);
        });
    }

    @Test
    void outOfReach_whenTheDeadlineHasPassed_isDeadlineExceeded() {
        ProblemException p = answer(Deadline.in(Duration.ZERO), ApiCallTimeoutException.create(1000)).orElseThrow();
        assertInstanceOf(DeadlineExceededException.class, p);
        assertEquals(503, p.status());

        ProblemException named = Deadline.in(Duration.ZERO).run(() -> SdkFailures.problem("the idempotency table",
                SdkClientException.create("x", new ConnectException())));
        assertEquals("the idempotency table", named.extensions().get("waitingFor"));
        // Outside a request there is no deadline to pass.
        assertInstanceOf(DependencyUnavailableException.class, SdkFailures.problem("the idempotency table",
                ApiCallTimeoutException.create(1000)));
    }

    @Test
    void errorsOfTheRequestItself_areNotOutOfReach_andStay500() {
        Map<String, SdkException> own = Map.of(
                "failed condition", ConditionalCheckFailedException.builder().statusCode(400).message("x").build(),
                "missing table", ResourceNotFoundException.builder().statusCode(400).message("x").build(),
                "access denied", service(403, "AccessDeniedException"),
                "client bug", SdkClientException.create("Key must not be null"));
        own.forEach((what, e) -> {
            assertFalse(SdkFailures.unavailable(e), what);
            assertTrue(answer(Deadline.in(Duration.ofSeconds(10)), e).isEmpty(), what);
        });
    }
}
