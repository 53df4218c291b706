package shop.platform.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.SecureRandom;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import shop.platform.aws.SnapshotSafeRetries;
import shop.testing.RetryDelays;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * The AWS SDK's retry back-off under SnapStart, as the clients of AwsClients retry: environments
 * restored from one snapshot start with one random state (two generators built from one state here).
 * Without the after-restore hook their SDK retries replay one delay sequence, in lock-step (what the
 * SDK's own ThreadLocalRandom jitter does, its seeder being in the snapshot); after it, each
 * environment retries on delays of its own. Same failures, same attempts, both kinds of back-off.
 */
class SdkRetryJitterTest {

    /** retries is the delays of 4 calls failing every attempt, by lost connections then by throttling. */
    private static List<Long> retries(Function<RandomGenerator, RetryStrategy> strategy, RandomGenerator random) {
        return RetryDelays.ofCalls(strategy.apply(random), 4, RetryDelays.IO_FAILURE, RetryDelays.THROTTLED);
    }

    private static void clonesRetryInLockStep_untilEachRunsItsRestoreHook(
            String name, Function<RandomGenerator, RetryStrategy> strategy) {
        long snapshotState = new SecureRandom().nextLong();

        // The defect the hook prevents: two clones, no hook, one sequence of retry delays.
        assertEquals(retries(strategy, new SnapshotSafeRandom(snapshotState)),
                retries(strategy, new SnapshotSafeRandom(snapshotState)), name);

        SnapshotSafeRandom first = new SnapshotSafeRandom(snapshotState);
        SnapshotSafeRandom second = new SnapshotSafeRandom(snapshotState);
        SnapStartPriming.register("sdk-retry-clone-1-" + name, () -> { }, List.of(first)).runAfterRestoreForTest();
        SnapStartPriming.register("sdk-retry-clone-2-" + name, () -> { }, List.of(second)).runAfterRestoreForTest();

        List<Long> replay = retries(strategy, new SnapshotSafeRandom(snapshotState));
        List<Long> restored1 = retries(strategy, first);
        List<Long> restored2 = retries(strategy, second);
        assertEquals(replay.size(), restored1.size(), name + ": the same attempts");
        assertNotEquals(restored1, restored2, name + ": two restores from one snapshot retried on the same delays");
        assertNotEquals(replay, restored1, name + ": restore 1 replayed the snapshot's delays");
        assertNotEquals(replay, restored2, name + ": restore 2 replayed the snapshot's delays");
    }

    @Test
    void standardRetries_ofClonesOfOneSnapshot_differAfterEachRestore() {
        clonesRetryInLockStep_untilEachRunsItsRestoreHook("standard", SnapshotSafeRetries::standard);
    }

    @Test
    void dynamoDbRetries_ofClonesOfOneSnapshot_differAfterEachRestore() {
        clonesRetryInLockStep_untilEachRunsItsRestoreHook("dynamodb", SnapshotSafeRetries::dynamoDb);
    }
}
