package shop.testing;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * RetryDelays drives an SDK {@link RetryStrategy} the way the SDK's retry stage does (acquire a token
 * for a call, refresh it after each failed attempt) and records the back-off delays it answers, so a
 * test can compare the retries of two strategies, or check one's attempts and bounds, without a
 * server or a clock.
 */
public final class RetryDelays {
    /** IO_FAILURE is a failed attempt the SDK retries with its ordinary back-off (a lost connection). */
    public static final Throwable IO_FAILURE = SdkClientException.create("Unable to execute HTTP request",
            new java.io.IOException("Connection reset"));
    /** THROTTLED is a failed attempt the SDK retries with its throttling back-off. */
    public static final Throwable THROTTLED = AwsServiceException.builder().statusCode(400)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").build()).build();

    private RetryDelays() {
    }

    /**
     * ofCall is the delays (ms) before attempts 2..n of one call failing every attempt with
     * {@code failure}; it checks that the strategy refuses attempt n+1, n being its max attempts.
     */
    public static List<Long> ofCall(RetryStrategy strategy, Throwable failure) {
        List<Long> delays = new ArrayList<>();
        RetryToken token = strategy.acquireInitialToken(AcquireInitialTokenRequest.create("test")).token();
        for (int attempt = 2; attempt <= strategy.maxAttempts(); attempt++) {
            var refreshed = strategy.refreshRetryToken(RefreshRetryTokenRequest.builder().token(token).failure(failure).build());
            delays.add(refreshed.delay().toMillis());
            token = refreshed.token();
        }
        RetryToken last = token;
        try {
            strategy.refreshRetryToken(RefreshRetryTokenRequest.builder().token(last).failure(failure).build());
            throw new AssertionError("attempt " + (strategy.maxAttempts() + 1) + " was allowed");
        } catch (TokenAcquisitionFailedException expected) {
            return delays;
        }
    }

    /** ofCalls is {@link #ofCall} for {@code calls} calls failing with each failure in turn. */
    public static List<Long> ofCalls(RetryStrategy strategy, int calls, Throwable... failures) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            for (Throwable failure : failures) {
                delays.addAll(ofCall(strategy, failure));
            }
        }
        return delays;
    }
}
