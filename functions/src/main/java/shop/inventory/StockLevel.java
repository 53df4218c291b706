package shop.inventory;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * StockLevel is a goods' stock: units on hand, units held by open reservations, and what is left for
 * new reservations. A goods without a stock row has nothing on hand, nothing reserved, version 0.
 *
 * @param goodsId  the goods
 * @param onHand   units physically held and sellable
 * @param reserved units held by RESERVED reservations (0 &lt;= reserved &lt;= onHand, enforced by the database)
 * @param version  moves with every change of onHand (count, adjustment, confirm); a stock count names it in If-Match
 */
@JsonPropertyOrder({"goodsId", "onHand", "reserved", "available", "version", "stock"})
public record StockLevel(long goodsId, int onHand, int reserved, long version) {

    /** available is what new reservations may take: onHand - reserved. */
    @JsonProperty("available")
    public int available() {
        return onHand - reserved;
    }

    /** stock is the deprecated name of {@link #available()}, kept for one release. */
    @Deprecated
    @JsonProperty("stock")
    public int stock() {
        return available();
    }
}
