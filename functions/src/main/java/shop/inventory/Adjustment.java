package shop.inventory;

/**
 * Adjustment is a validated change of a goods' onHand outside a count.
 *
 * @param goodsId   the goods
 * @param delta     units added (positive) or removed (negative), never 0
 * @param reason    why
 * @param reference an optional free reference (a delivery note, an RMA number), at most 128 characters
 */
public record Adjustment(long goodsId, int delta, AdjustmentReason reason, String reference) {
}
