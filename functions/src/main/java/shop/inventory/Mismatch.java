package shop.inventory;

/**
 * Mismatch is a goods whose counters disagree with its records: onHand with the sum of the ledger's
 * onHand deltas, or reserved with the sum of its reserved deltas plus the units of its open reservations.
 *
 * @param goodsId          the goods
 * @param onHand           the counter ({@code null} when the goods has records but no stock row)
 * @param reserved         the counter, same
 * @param recordedOnHand   what the records say onHand is
 * @param recordedReserved what the records say reserved is
 */
public record Mismatch(long goodsId, Integer onHand, Integer reserved, long recordedOnHand, long recordedReserved) {
}
