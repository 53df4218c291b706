package shop.platform.snapstart;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * SnapshotSafeRandom is the random source for back-off jitter, poll intervals and spreading choices
 * (the RedLock's slot), in place of {@code ThreadLocalRandom}. ThreadLocalRandom seeds each thread
 * from a static seeder that is part of the snapshot, so every environment restored from one SnapStart
 * snapshot replays the same sequence: the clones' jitter is identical exactly when many of them retry
 * at once, and they all pick the same RedLock slot first. This source is reseeded from
 * {@link SecureRandom} after every restore (AWS: SecureRandom draws made after a restore differ between
 * environments), through the {@link SnapStartPriming} every function registers.
 *
 * <p>One generator for the environment, SplitMix64 over an atomic counter (the algorithm of
 * {@link java.util.SplittableRandom}): one atomic add and a few multiplications per draw, no lock and
 * no system call, so the reservation path may draw freely. Not for secrets or ids: those come from
 * SecureRandom itself.
 */
public final class SnapshotSafeRandom implements RandomGenerator, SnapshotSensitive {
    private static final SecureRandom SEEDS = new SecureRandom();
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final SnapshotSafeRandom SHARED = new SnapshotSafeRandom(SEEDS.nextLong());

    private final AtomicLong state;

    /** A generator whose state is {@code seed}: two with equal seeds draw equal sequences, as clones do. */
    SnapshotSafeRandom(long seed) {
        this.state = new AtomicLong(seed);
    }

    /** current is the environment's generator (drop-in for {@code ThreadLocalRandom.current()}). */
    public static SnapshotSafeRandom current() {
        return SHARED;
    }

    @Override
    public long nextLong() {
        long z = state.addAndGet(GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** After a restore: a seed of this environment's own, so no clone replays another's sequence. */
    @Override
    public void afterRestore() {
        state.set(SEEDS.nextLong());
    }
}
