package shop.platform.aws;

import java.time.Duration;
import java.util.Objects;
import shop.platform.deadline.Deadline;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * SdkDeadline makes every call of an SDK client built by {@link AwsClients} end by the running
 * request's {@link Deadline}: it gives the call an {@code apiCallTimeout} of the time left (when that
 * is shorter than the client's own), so a service that stops answering fails the call, retries and
 * back-off included, in time for the request to answer its 503 before Lambda or API Gateway give up.
 * Outside a request ({@link Deadline#NONE}) the client's own timeouts apply unchanged.
 *
 * <p>Why an interceptor can do this: a synchronous client runs {@code modifyRequest} on the calling
 * thread (where the request's deadline is bound) before the call's timers start, and its pipeline
 * takes the request-level override configuration from the request as modified
 * ({@code BaseSyncClientHandler.doExecute} passes {@code interceptorContext().request()} on, and
 * {@code ApiCallTimeoutTrackingStage} reads {@code apiCallTimeout} from it). The request-level value
 * replaces the client's, which is why the shorter of the two is set. {@code SdkDeadlineTest} proves
 * it on a real call.
 *
 * <p>With less than {@link #MIN_CALL_TIME} left the call is not started: it fails at once with the
 * SDK's own {@link ApiCallTimeoutException}, so callers that catch SDK failures (to release a claim,
 * say) keep working, and {@link SdkFailures} maps it to the 503 of a passed deadline.
 */
public final class SdkDeadline implements ExecutionInterceptor {
    /** MIN_CALL_TIME is the least time a call is started with. */
    public static final Duration MIN_CALL_TIME = Duration.ofMillis(50);

    private final Duration clientCallTimeout;

    /** SdkDeadline for a client whose own {@code apiCallTimeout} is {@code clientCallTimeout}. */
    public SdkDeadline(Duration clientCallTimeout) {
        this.clientCallTimeout = Objects.requireNonNull(clientCallTimeout, "clientCallTimeout");
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes executionAttributes) {
        SdkRequest request = context.request();
        Deadline deadline = Deadline.current();
        if (!deadline.bounded() || !(request instanceof AwsRequest aws)) {
            return request;
        }
        Duration left = deadline.remaining();
        if (left.compareTo(MIN_CALL_TIME) < 0) {
            throw ApiCallTimeoutException.builder()
                    .message("Not started: " + left.toMillis() + " ms left before the request's deadline").build();
        }
        Duration own = aws.overrideConfiguration().flatMap(c -> c.apiCallTimeout()).orElse(clientCallTimeout);
        // Whole milliseconds rounded up, so the timer fires at or after the deadline, never before it.
        Duration timeout = Duration.ofMillis((left.toNanos() + 999_999) / 1_000_000);
        if (timeout.compareTo(own) >= 0) {
            return request;
        }
        AwsRequestOverrideConfiguration.Builder override = aws.overrideConfiguration()
                .map(AwsRequestOverrideConfiguration::toBuilder)
                .orElseGet(AwsRequestOverrideConfiguration::builder);
        return aws.toBuilder().overrideConfiguration(override.apiCallTimeout(timeout).build()).build();
    }
}
