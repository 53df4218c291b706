package shop.inventory;

/**
 * StockLevel is the stock a goods has available for new reservations; a goods without a stock row has 0.
 *
 * @param goodsId the goods
 * @param stock   units available
 */
public record StockLevel(long goodsId, int stock) {
}
