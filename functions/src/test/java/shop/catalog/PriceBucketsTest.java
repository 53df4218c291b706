package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * PriceBuckets must compute the bucket V206's triggers compute, keep buckets in price order, and
 * give each bucket bounds that hold exactly its prices.
 */
class PriceBucketsTest {
    /** sql is the bucket expression of V206's triggers and backfill, over a column or a literal. */
    static String sql(String price) {
        return "IF(%1$s < 100, %1$s, CHAR_LENGTH(%1$s) * 100 + CAST(LEFT(%1$s, 2) AS UNSIGNED))".formatted(price);
    }

    static List<Long> prices() {
        List<Long> prices = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 99L, 100L, 101L, 109L, 110L, 999L, 1_000L, 1_099L,
                9_999L, 10_000L, 12_345L, 99_999L, 100_000L, 1_000_000_000_000L, Long.MAX_VALUE - 1, Long.MAX_VALUE));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 300; i++) {
            prices.add(random.nextLong(1L, 1L << (1 + i % 62)));
        }
        return prices;
    }

    @Test
    void examples() {
        assertEquals(0, PriceBuckets.of(0));
        assertEquals(99, PriceBuckets.of(99));
        assertEquals(310, PriceBuckets.of(100));
        assertEquals(310, PriceBuckets.of(109));
        assertEquals(311, PriceBuckets.of(110));
        assertEquals(512, PriceBuckets.of(12_345));
        assertEquals(12_000, PriceBuckets.low(512));
        assertEquals(12_999, PriceBuckets.high(512));
        assertEquals(1992, PriceBuckets.of(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, PriceBuckets.high(1992));
    }

    @Test
    void bucketsFollowThePrice_andTheirBoundsHoldExactlyTheirPrices() {
        List<Long> prices = new ArrayList<>(prices());
        prices.sort(Long::compare);
        for (int i = 0; i < prices.size(); i++) {
            long p = prices.get(i);
            int b = PriceBuckets.of(p);
            assertTrue(PriceBuckets.low(b) <= p && p <= PriceBuckets.high(b), p + " in bucket " + b);
            assertEquals(b, PriceBuckets.of(PriceBuckets.low(b)), "low of " + b);
            assertEquals(b, PriceBuckets.of(PriceBuckets.high(b)), "high of " + b);
            if (PriceBuckets.high(b) < Long.MAX_VALUE) {
                assertTrue(PriceBuckets.of(PriceBuckets.high(b) + 1) > b, "the next price starts a later bucket: " + b);
            }
            if (i > 0) {
                assertTrue(PriceBuckets.of(prices.get(i - 1)) <= b, "order at " + p);
            }
        }
    }

    @Test
    void javaAndTheTriggersExpression_agree() {
        List<String> wrong = new ArrayList<>();
        for (long p : prices()) {
            long sql = CatalogDb.longQuery("SELECT " + sql(Long.toString(p)));
            if (sql != PriceBuckets.of(p)) {
                wrong.add(p + ": SQL " + sql + ", Java " + PriceBuckets.of(p));
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
