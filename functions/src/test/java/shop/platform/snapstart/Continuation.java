package shop.platform.snapstart;

/**
 * Continuation predicts a {@link SnapshotSafeRandom}'s next {@code nextLong()} from its last one: the
 * generator is SplitMix64 over a counter, whose output is a bijection of the counter, so one draw gives
 * the state away. That is what every environment restored from one snapshot would draw next if
 * nothing reseeded the generator after the restore: the snapshot's continuation.
 */
final class Continuation {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final long M1 = 0xbf58476d1ce4e5b9L;
    private static final long M2 = 0x94d049bb133111ebL;

    private Continuation() {
    }

    /** next is the draw that follows {@code last} when nothing touched the generator in between. */
    static long next(long last) {
        return mix(unmix(last) + GOLDEN_GAMMA);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * M1;
        z = (z ^ (z >>> 27)) * M2;
        return z ^ (z >>> 31);
    }

    private static long unmix(long z) {
        z = unshift(z, 31);
        z = unshift(z * inverse(M2), 27);
        return unshift(z * inverse(M1), 30);
    }

    /** unshift inverts {@code x ^ (x >>> s)}. */
    private static long unshift(long y, int s) {
        long x = y;
        for (int k = s; k < 64; k += s) {
            x ^= y >>> k;
        }
        return x;
    }

    /** inverse is the multiplicative inverse of an odd number modulo 2^64 (Newton's iteration). */
    private static long inverse(long a) {
        long x = a;
        for (int i = 0; i < 5; i++) {
            x *= 2 - a * x;
        }
        return x;
    }
}
