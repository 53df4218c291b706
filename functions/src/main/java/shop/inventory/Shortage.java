package shop.inventory;

/**
 * Shortage is one goods of a reservation that has less stock than asked for (refused, or reserved partially).
 *
 * @param goodsId   the goods
 * @param requested units the reservation asked for
 * @param available units there were when the reservation was refused; for a partial reservation, what the item got
 */
public record Shortage(long goodsId, int requested, int available) {
}
