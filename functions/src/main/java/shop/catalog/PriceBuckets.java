package shop.catalog;

/**
 * PriceBuckets is the price bucket of goods_brand_price_count (V206), computed as its triggers do:
 * a price below 100 cents is its own bucket; any other is its number of digits * 100 plus its first
 * two digits (12,345 cents: bucket 512, prices 12,000 to 12,999). Buckets grow with the price, and
 * each holds prices within 1% to 10% of each other, so a price band is a run of whole buckets plus
 * part of the two at its ends.
 */
final class PriceBuckets {
    private PriceBuckets() {
    }

    /** of returns the bucket of a price in cents (0 or more). */
    static int of(long price) {
        if (price < 100) {
            return (int) price;
        }
        String digits = Long.toString(price);
        return digits.length() * 100 + Integer.parseInt(digits.substring(0, 2));
    }

    /** low returns the lowest price of a bucket. */
    static long low(int bucket) {
        if (bucket < 100) {
            return bucket;
        }
        return (bucket % 100) * pow10(bucket / 100 - 2);
    }

    /** high returns the highest price of a bucket (Long.MAX_VALUE for the last one). */
    static long high(int bucket) {
        if (bucket < 100) {
            return bucket;
        }
        long unit = pow10(bucket / 100 - 2);
        long next = (bucket % 100 + 1) * unit;
        return next / unit != bucket % 100 + 1 || next < 0 ? Long.MAX_VALUE : next - 1;
    }

    private static long pow10(int exponent) {
        long p = 1;
        for (int i = 0; i < exponent; i++) {
            p *= 10;
        }
        return p;
    }
}
