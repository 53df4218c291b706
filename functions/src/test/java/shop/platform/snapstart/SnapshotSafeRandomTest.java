package shop.platform.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.random.RandomGenerator;
import org.crac.Core;
import org.junit.jupiter.api.Test;
import shop.testing.LambdaEnvironment;

/**
 * The random source of jitter and slot choice under SnapStart. Environments restored from one snapshot
 * start with the same memory, so the same generator state: modelled here by two generators built from
 * one state. Without the after-restore hook they replay one sequence (what ThreadLocalRandom's clones
 * do, its seeder being in the snapshot); after it, each draws its own. Hooks run as Lambda runs them
 * ({@link LambdaEnvironment}).
 */
class SnapshotSafeRandomTest {

    /** jitter draws what a reservation's back-off draws (1..100 ms), then slot choices (one of 16). */
    private static List<Long> jitter(RandomGenerator random) {
        List<Long> draws = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            draws.add(random.nextLong(1, 101));
        }
        for (int i = 0; i < 16; i++) {
            draws.add((long) random.nextInt(16));
        }
        return draws;
    }

    @Test
    void clonesOfOneSnapshot_replayOneSequence_untilEachRunsItsRestoreHook() throws Exception {
        long snapshotState = new SecureRandom().nextLong();

        // The defect the hook prevents: two clones, no hook, one sequence.
        assertEquals(jitter(new SnapshotSafeRandom(snapshotState)), jitter(new SnapshotSafeRandom(snapshotState)));

        // Two environments restored from that snapshot, each running its restore hooks as Lambda does.
        SnapshotSafeRandom first = new SnapshotSafeRandom(snapshotState);
        SnapshotSafeRandom second = new SnapshotSafeRandom(snapshotState);
        for (SnapshotSafeRandom environment : List.of(first, second)) {
            try (LambdaEnvironment lambda = LambdaEnvironment.start()) {
                Core.getGlobalContext().register(environment);
                lambda.restore();
            }
        }

        List<Long> replay = jitter(new SnapshotSafeRandom(snapshotState));
        List<Long> restored1 = jitter(first);
        List<Long> restored2 = jitter(second);
        assertNotEquals(restored1, restored2, "two restores from one snapshot drew the same jitter");
        assertNotEquals(replay, restored1, "restore 1 replayed the snapshot's sequence");
        assertNotEquals(replay, restored2, "restore 2 replayed the snapshot's sequence");
    }

    @Test
    void continuation_predictsTheNextDraw_asEveryCloneWouldDrawIt() {
        SnapshotSafeRandom random = new SnapshotSafeRandom(new SecureRandom().nextLong());
        for (int i = 0; i < 100; i++) {
            long last = random.nextLong();
            assertEquals(Continuation.next(last), random.nextLong());
        }
    }

    @Test
    void theSharedSource_isReseededAfterARestore_beforeAnyPrimingsHooksRun() throws Exception {
        List<String> seenByThePriming = new ArrayList<>();
        long[] continuation = new long[1];
        try (LambdaEnvironment lambda = LambdaEnvironment.start()) {
            SnapshotSensitive drawsAfterRestore = new SnapshotSensitive() {
                @Override
                public void afterRestore() {
                    long draw = SnapshotSafeRandom.current().nextLong();
                    seenByThePriming.add(draw == continuation[0] ? "the snapshot's continuation" : "a fresh seed");
                }
            };
            SnapStartPriming.register("draws-after-restore", () -> { }, List.of(drawsAfterRestore));
            assertEquals(List.of(), lambda.checkpoint().problems());
            continuation[0] = Continuation.next(SnapshotSafeRandom.current().nextLong());
            lambda.restore();
        }
        assertEquals(List.of("a fresh seed"), seenByThePriming,
                "a priming's after-restore hook drew before the shared random source was reseeded");
    }

    @Test
    void boundedDraws_stayInRange_andReachEveryValue() {
        SnapshotSafeRandom random = SnapshotSafeRandom.current();
        BitSet slots = new BitSet();
        for (int i = 0; i < 2_000; i++) {
            long pause = random.nextLong(1, 101);
            assertTrue(pause >= 1 && pause <= 100, "jitter out of range: " + pause);
            int slot = random.nextInt(16);
            assertTrue(slot >= 0 && slot < 16, "slot out of range: " + slot);
            slots.set(slot);
        }
        assertEquals(16, slots.cardinality(), "some slot never drawn in 2,000 draws: " + slots);
    }
}
