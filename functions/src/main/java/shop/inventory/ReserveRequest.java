package shop.inventory;

import java.util.List;

/**
 * ReserveRequest is the body of {@code POST /inventory/reservations}. Boxed fields, so that a missing
 * value is told apart from zero and named in the 400.
 *
 * @param orderSn      the order's number: 1..64 of {@code [A-Za-z0-9_-]}
 * @param items        1..100 items, each goods at most once
 * @param ttlSeconds   how long an unconfirmed reservation holds the stock, 60..86400, default 900
 * @param allowPartial true: each item reserves what is available, up to its units (default false: all or nothing)
 */
public record ReserveRequest(String orderSn, List<Item> items, Integer ttlSeconds, Boolean allowPartial) {

    /** ReserveRequest without allowPartial: all or nothing. */
    public ReserveRequest(String orderSn, List<Item> items, Integer ttlSeconds) {
        this(orderSn, items, ttlSeconds, null);
    }

    /**
     * Item is one requested line.
     *
     * @param goodsId the goods
     * @param num     units, a positive integer
     */
    public record Item(Long goodsId, Integer num) {
    }
}
