package shop.inventory;

/**
 * ReservationItem is one line of a reservation: how many units of one goods.
 *
 * @param goodsId the goods
 * @param num     units, at least 1
 */
public record ReservationItem(long goodsId, int num) {
}
