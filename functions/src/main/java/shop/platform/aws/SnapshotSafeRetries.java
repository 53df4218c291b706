package shop.platform.aws;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;
import shop.platform.snapstart.SnapshotSafeRandom;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * SnapshotSafeRetries is the SDK's standard retry mode (its attempts, retry conditions, token bucket,
 * base delays and cap) with one change: the back-off jitter draws from {@link SnapshotSafeRandom}.
 * The SDK's own {@code BackoffStrategy.exponentialDelay} draws from {@code ThreadLocalRandom}, whose
 * seeder is in the SnapStart snapshot, so every environment restored from one snapshot would retry
 * S3, DynamoDB and Secrets Manager with the same delays, in lock-step, exactly when a dependency is
 * struggling and many environments retry at once.
 *
 * <p>The numbers are the SDK's (v2.57, {@code StandardRetryStrategy} and {@code DynamoDbRetryPolicy});
 * the SDK does not expose them, so they are restated here:
 * <ul>
 *   <li>every service: 3 attempts, full jitter on 100 ms doubling per retry, 1 s for throttling, at
 *       most 20 s;</li>
 *   <li>DynamoDB: 9 attempts and 25 ms (its own defaults), throttling as above.</li>
 * </ul>
 * An API request never waits that long: its calls end at its deadline ({@link SdkDeadline}).
 */
public final class SnapshotSafeRetries {
    static final Duration BASE_DELAY = Duration.ofMillis(100);
    static final Duration THROTTLED_BASE_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(20);
    static final int MAX_ATTEMPTS = 3;
    static final Duration DYNAMODB_BASE_DELAY = Duration.ofMillis(25);
    static final int DYNAMODB_MAX_ATTEMPTS = 9;

    private SnapshotSafeRetries() {
    }

    /** standard is the SDK's standard mode with its jitter drawn from the environment's {@link SnapshotSafeRandom}. */
    public static RetryStrategy standard() {
        return standard(SnapshotSafeRandom.current());
    }

    /** dynamoDb is {@link #standard()} with DynamoDB's own attempts and base delay. */
    public static RetryStrategy dynamoDb() {
        return dynamoDb(SnapshotSafeRandom.current());
    }

    /** standard with the jitter drawn from {@code random}. */
    public static RetryStrategy standard(RandomGenerator random) {
        return strategy(MAX_ATTEMPTS, BASE_DELAY, random);
    }

    /** dynamoDb with the jitter drawn from {@code random}. */
    public static RetryStrategy dynamoDb(RandomGenerator random) {
        return strategy(DYNAMODB_MAX_ATTEMPTS, DYNAMODB_BASE_DELAY, random);
    }

    private static RetryStrategy strategy(int maxAttempts, Duration baseDelay, RandomGenerator random) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxAttempts)
                .backoffStrategy(new Jitter(baseDelay, MAX_BACKOFF, random))
                .throttlingBackoffStrategy(new Jitter(THROTTLED_BASE_DELAY, MAX_BACKOFF, random))
                .build();
    }

    /**
     * Jitter is the SDK's full-jitter exponential back-off ({@code BackoffStrategy.exponentialDelay}):
     * no delay before the first attempt, then a delay drawn uniformly from
     * {@code [0, min(max, base * 2^(attempt - 2)))} milliseconds, from {@code random}.
     */
    public record Jitter(Duration base, Duration max, RandomGenerator random) implements BackoffStrategy {
        /** Checks the arguments. */
        public Jitter {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(max, "max");
            Objects.requireNonNull(random, "random");
            if (base.toMillis() < 1 || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("base must be at least 1 ms and max at least base: " + base + ", " + max);
            }
        }

        @Override
        public Duration computeDelay(int attempt) {
            if (attempt < 1) {
                throw new IllegalArgumentException("attempt must be positive: " + attempt);
            }
            if (attempt == 1) {
                return Duration.ZERO;
            }
            int doublings = attempt - 2;
            long ceiling = max.toMillis();
            if (doublings < Long.numberOfLeadingZeros(base.toMillis()) - 1) { // no overflow
                ceiling = Math.min(ceiling, base.toMillis() << doublings);
            }
            return Duration.ofMillis(random.nextLong(ceiling));
        }

        @Override
        public String toString() {
            return "SnapshotSafeRetries.Jitter[base=" + base.toMillis() + " ms, max=" + max.toMillis() + " ms, random="
                    + random.getClass().getSimpleName() + "]";
        }
    }
}
