package shop.platform.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.platform.config.AwsConfig;
import shop.platform.config.Env;
import shop.testing.RetryDelays;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * What every client AwsClients builds carries: the SnapStart-safe retry strategy in the SDK's standard
 * mode (its attempts, base delays and cap, read back from the client's own configuration and driven
 * as the SDK drives it), finite time-outs of its own, and the request-deadline interceptor.
 */
class AwsClientsTest {
    private final AwsConfig cfg = AwsConfig.from(Env.of(Map.of("AWS_REGION", "eu-west-1")));

    /** Built is a client and what it should carry. */
    private record Built(String name, SdkClient client, int attempts, Duration base, AwsClients.Timeouts timeouts) {
    }

    private List<Built> clients() {
        return List.of(
                new Built("s3", AwsClients.s3(cfg), 3, SnapshotSafeRetries.BASE_DELAY, AwsClients.S3_TIMEOUTS),
                new Built("dynamodb", AwsClients.dynamo(cfg), 9, SnapshotSafeRetries.DYNAMODB_BASE_DELAY,
                        AwsClients.DYNAMODB_TIMEOUTS),
                new Built("secrets", AwsClients.secrets(cfg), 3, SnapshotSafeRetries.BASE_DELAY, AwsClients.SECRETS_TIMEOUTS));
    }

    @Test
    void everyClient_retriesInStandardMode_withSnapshotSafeJitter() {
        for (Built b : clients()) {
            try (SdkClient client = b.client()) {
                RetryStrategy strategy = client.serviceClientConfiguration().overrideConfiguration().retryStrategy()
                        .orElseThrow(() -> new AssertionError(b.name() + " has no retry strategy of ours"));
                // Both back-offs are ours, none is the SDK's ThreadLocalRandom one (ExponentialDelayWithJitter).
                String described = strategy.toString();
                assertTrue(described.contains("backoffStrategy=SnapshotSafeRetries.Jitter[base=" + b.base().toMillis()
                        + " ms, max=20000 ms, random=SnapshotSafeRandom]"), b.name() + ": " + described);
                assertTrue(described.contains("throttlingBackoffStrategy=SnapshotSafeRetries.Jitter[base=1000 ms,"
                        + " max=20000 ms, random=SnapshotSafeRandom]"), b.name() + ": " + described);
                assertFalse(described.contains("ExponentialDelayWithJitter"), b.name() + ": " + described);

                assertEquals(b.attempts(), strategy.maxAttempts(), b.name());
                List<Long> ordinary = RetryDelays.ofCall(strategy, RetryDelays.IO_FAILURE);
                List<Long> throttled = RetryDelays.ofCall(strategy, RetryDelays.THROTTLED);
                assertEquals(b.attempts() - 1, ordinary.size(), b.name());
                for (int retry = 0; retry < ordinary.size(); retry++) {
                    long ceiling = Math.min(20_000, b.base().toMillis() << retry);
                    long throttledCeiling = Math.min(20_000, 1000L << retry);
                    assertTrue(ordinary.get(retry) >= 0 && ordinary.get(retry) < ceiling,
                            b.name() + " retry " + (retry + 1) + ": " + ordinary);
                    assertTrue(throttled.get(retry) >= 0 && throttled.get(retry) < throttledCeiling,
                            b.name() + " throttled retry " + (retry + 1) + ": " + throttled);
                }
            }
        }
    }

    @Test
    void everyClient_hasFiniteTimeoutsOfItsOwn_andEndsRequestCallsByTheDeadline() {
        for (Built b : clients()) {
            try (SdkClient client = b.client()) {
                ClientOverrideConfiguration o = client.serviceClientConfiguration().overrideConfiguration();
                assertEquals(b.timeouts().call(), o.apiCallTimeout().orElse(null), b.name());
                assertEquals(b.timeouts().attempt(), o.apiCallAttemptTimeout().orElse(null), b.name());
                assertTrue(b.timeouts().attempt().compareTo(b.timeouts().call()) < 0, b.name());
                assertTrue(o.executionInterceptors().stream().anyMatch(SdkDeadline.class::isInstance), b.name());
            }
        }
    }

    @Test
    void jitter_isTheSdksFullJitter_withinItsCeiling() {
        var jitter = new SnapshotSafeRetries.Jitter(Duration.ofMillis(100), Duration.ofSeconds(20),
                shop.platform.snapstart.SnapshotSafeRandom.current());
        assertEquals(Duration.ZERO, jitter.computeDelay(1));
        long[] ceilings = {100, 200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000};
        for (int i = 0; i < ceilings.length; i++) {
            long max = 0;
            for (int draw = 0; draw < 2_000; draw++) {
                long d = jitter.computeDelay(i + 2).toMillis();
                assertTrue(d >= 0 && d < ceilings[i], "attempt " + (i + 2) + ": " + d);
                max = Math.max(max, d);
            }
            assertTrue(max >= ceilings[i] * 9 / 10, "attempt " + (i + 2) + " never drew near its ceiling: " + max);
        }
        assertTrue(jitter.computeDelay(200).toMillis() < 20_000, "no overflow past the cap");
    }
}
