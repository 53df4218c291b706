package shop.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * BrandBandPlanner picks how the page of a brand's price band is read, from the brand's price
 * buckets (goods_brand_price_count, V206), which it keeps per execution environment for a minute.
 * MariaDB's optimizer picks by its own estimate and misses the crossover (measured at 1M goods, a
 * brand of 5,000: a 10% band read whole and sorted took 640 us, walked newest first 310 us; a 1%
 * band 384 us against 739 us; a 0.1% band 562 us against 2,430 us; docs/benchmarks.md):
 *
 * <ul>
 *   <li>{@link Plan#WALK}: idx_goods_brand_live, the brand's goods newest first, the price checked in
 *       the index entry, stopping after the page: about {@code (offset + rows) * brand / band}
 *       entries, none sorted.
 *   <li>{@link Plan#BAND}: idx_goods_brand_price, the band's entries, then sorted by id: about
 *       {@code band} entries, each costing about twice a walked one, plus the sort's start.
 * </ul>
 *
 * A stale histogram only costs speed: either plan returns the same rows.
 */
final class BrandBandPlanner {
    /** Plan is the index a brand's price band page is read on. */
    enum Plan {
        WALK("idx_goods_brand_live"),
        BAND("idx_goods_brand_price");

        final String index;

        Plan(String index) {
            this.index = index;
        }
    }

    /** Histogram is a brand's live goods per price bucket, ascending buckets. */
    record Histogram(int[] buckets, long[] counts, long expiresAtNanos) {
        long total() {
            long total = 0;
            for (long n : counts) {
                total += n;
            }
            return total;
        }

        /** band is how many goods the buckets that the price band touches hold (the band or a little more). */
        long band(long min, long max) {
            int first = PriceBuckets.of(min);
            int last = PriceBuckets.of(max);
            long n = 0;
            for (int i = 0; i < buckets.length; i++) {
                if (buckets[i] >= first && buckets[i] <= last) {
                    n += counts[i];
                }
            }
            return n;
        }
    }

    /** WALK_COST and BAND_COST are the measured costs per entry (us) of each plan; SORT_START the sort's fixed cost. */
    private static final double WALK_COST = 0.45;
    private static final double BAND_COST = 0.85;
    private static final double SORT_START = 50;
    private static final long TTL_NANOS = 60_000_000_000L;
    private static final int MAX_BRANDS = 1_024;

    private final LongFunction<Histogram> loader;
    private final Map<Long, Histogram> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Histogram> eldest) {
            return size() > MAX_BRANDS;
        }
    };

    /** Creates the planner over a loader of a brand's histogram (its expiry set by the loader). */
    BrandBandPlanner(LongFunction<Histogram> loader) {
        this.loader = loader;
    }

    /** expiry is when a histogram loaded now should be read again. */
    static long expiry() {
        return System.nanoTime() + TTL_NANOS;
    }

    /** plan picks the plan for rows {@code offset} to {@code offset + rows} of a brand's band [min, max]. */
    Plan plan(long brandId, long min, long max, int offset, int rows) {
        Histogram h;
        synchronized (cache) {
            h = cache.get(brandId);
        }
        if (h == null || h.expiresAtNanos() - System.nanoTime() < 0) {
            h = loader.apply(brandId);
            synchronized (cache) {
                cache.put(brandId, h);
            }
        }
        return choose(h.total(), h.band(min, max), offset, rows);
    }

    /** choose compares the two plans' estimated costs (package-private for the unit test). */
    static Plan choose(long brand, long band, int offset, int rows) {
        if (band <= 0 || brand <= 0) {
            return Plan.BAND; // nothing (or nothing known) to find: the band read ends at once
        }
        double walked = Math.min((double) brand, (double) (offset + rows) * brand / band);
        double walk = WALK_COST * walked;
        double read = SORT_START + BAND_COST * band;
        return walk < read ? Plan.WALK : Plan.BAND;
    }
}
