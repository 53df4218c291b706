package shop.platform.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The random source of jitter and slot choice under SnapStart. Environments restored from one snapshot
 * start with the same memory, so the same generator state: modelled here by two generators built from
 * one state. Without the after-restore hook they replay one sequence (what ThreadLocalRandom's clones
 * do, its seeder being in the snapshot); after it, each draws its own.
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
    void clonesOfOneSnapshot_replayOneSequence_untilEachRunsItsRestoreHook() {
        long snapshotState = new SecureRandom().nextLong();

        // The defect the hook prevents: two clones, no hook, one sequence.
        assertEquals(jitter(new SnapshotSafeRandom(snapshotState)), jitter(new SnapshotSafeRandom(snapshotState)));

        // Two environments restored from that snapshot, each with its priming's hooks run as Lambda would.
        SnapshotSafeRandom first = new SnapshotSafeRandom(snapshotState);
        SnapshotSafeRandom second = new SnapshotSafeRandom(snapshotState);
        SnapStartPriming firstEnvironment = SnapStartPriming.register("random-clone-1", () -> { }, List.of(first));
        SnapStartPriming secondEnvironment = SnapStartPriming.register("random-clone-2", () -> { }, List.of(second));
        firstEnvironment.runAfterRestoreForTest();
        secondEnvironment.runAfterRestoreForTest();

        List<Long> replay = jitter(new SnapshotSafeRandom(snapshotState));
        List<Long> restored1 = jitter(first);
        List<Long> restored2 = jitter(second);
        assertNotEquals(restored1, restored2, "two restores from one snapshot drew the same jitter");
        assertNotEquals(replay, restored1, "restore 1 replayed the snapshot's sequence");
        assertNotEquals(replay, restored2, "restore 2 replayed the snapshot's sequence");
    }

    @Test
    void everyPriming_reseedsTheSharedSource_beforeAnyOtherHook() {
        SnapStartPriming priming = SnapStartPriming.register("random-shared", () -> { }, List.of());
        assertSame(SnapshotSafeRandom.current(), priming.stateForTest().getFirst(),
                "a function's restore hook would leave the shared random source as the snapshot held it");
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
