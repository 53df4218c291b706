package shop.inventory;

/**
 * Shortage is one goods of a refused reservation that has less stock than asked for.
 *
 * @param goodsId   the goods
 * @param requested units the reservation asked for
 * @param available units there were when the reservation was refused
 */
public record Shortage(long goodsId, int requested, int available) {
}
