package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import shop.catalog.BrandBandPlanner.Histogram;
import shop.catalog.BrandBandPlanner.Plan;

/** The plan choice for a brand's price band page, and the per-environment histogram cache (pure logic). */
class BrandBandPlannerTest {

    @Test
    void wideBands_areWalkedNewestFirst_narrowOnesReadWholeAndSorted() {
        // The cases measured at 1M goods (docs/benchmarks.md): a brand of 5,000 goods, a page of 21 rows.
        assertEquals(Plan.WALK, BrandBandPlanner.choose(5_000, 3_000, 0, 21), "60% band");
        assertEquals(Plan.WALK, BrandBandPlanner.choose(5_000, 500, 0, 21), "10% band: 310 us walked, 640 us sorted");
        assertEquals(Plan.BAND, BrandBandPlanner.choose(5_000, 50, 0, 21), "1% band: 739 us walked, 384 us sorted");
        assertEquals(Plan.BAND, BrandBandPlanner.choose(5_000, 5, 0, 21), "0.1% band: 2,430 us walked, 562 us sorted");
        assertEquals(Plan.BAND, BrandBandPlanner.choose(5_000, 0, 0, 21), "an empty band");
        assertEquals(Plan.BAND, BrandBandPlanner.choose(0, 0, 0, 21), "an unknown brand");
    }

    @Test
    void deepPages_walkFurther_andSoTurnToTheBand() {
        assertEquals(Plan.WALK, BrandBandPlanner.choose(5_000, 500, 20, 21));
        assertEquals(Plan.BAND, BrandBandPlanner.choose(5_000, 500, 400, 21), "421 rows of a 10% band: 4,210 entries walked");
    }

    @Test
    void aSmallBrand_isWalkedWhole_atMost() {
        // 50 goods, 5 in the band: the walk reads at most the brand's 50 entries.
        assertEquals(Plan.WALK, BrandBandPlanner.choose(50, 5, 0, 21));
    }

    @Test
    void histogram_countsTheBucketsTheBandTouches() {
        // Buckets 310 (100-109), 311 (110-119), 410 (1,000-1,099).
        Histogram h = new Histogram(new int[] {5, 310, 311, 410}, new long[] {1, 2, 3, 4}, 0);
        assertEquals(10, h.total());
        assertEquals(5, h.band(105, 115));
        assertEquals(1, h.band(0, 99));
        assertEquals(4, h.band(1_050, 1_050));
        assertEquals(0, h.band(200, 900));
        assertEquals(10, h.band(0, Long.MAX_VALUE));
    }

    @Test
    void histograms_areReadOncePerBrandUntilTheyExpire() {
        AtomicInteger loads = new AtomicInteger();
        BrandBandPlanner fresh = new BrandBandPlanner(brand -> {
            loads.incrementAndGet();
            return new Histogram(new int[] {510}, new long[] {5_000}, BrandBandPlanner.expiry());
        });
        for (int i = 0; i < 5; i++) {
            fresh.plan(7, 10_000, 10_999, 0, 21);
        }
        fresh.plan(8, 10_000, 10_999, 0, 21);
        assertEquals(2, loads.get(), "one read per brand");

        AtomicInteger reloads = new AtomicInteger();
        BrandBandPlanner expired = new BrandBandPlanner(brand -> {
            reloads.incrementAndGet();
            return new Histogram(new int[] {510}, new long[] {5_000}, System.nanoTime() - 1);
        });
        expired.plan(7, 10_000, 10_999, 0, 21);
        expired.plan(7, 10_000, 10_999, 0, 21);
        assertEquals(2, reloads.get(), "an expired histogram is read again");
    }
}
