package shop.inventory;

import java.time.Instant;
import java.util.List;

/**
 * Reservation is the stock held for one order, as stored in {@code stock_sell_detail}.
 *
 * @param orderSn   the order's number, the reservation's identity
 * @param status    where it is in its life
 * @param items     the goods and units, sorted by goods id
 * @param expiresAt when an unconfirmed reservation is returned by the sweeper (millisecond precision)
 */
public record Reservation(String orderSn, ReservationStatus status, List<ReservationItem> items, Instant expiresAt) {

    /** Reservation copies the items. */
    public Reservation {
        items = List.copyOf(items);
    }

    /** expiredAt tells whether the reservation's time is up at {@code now}. */
    public boolean expiredAt(Instant now) {
        return !expiresAt.isAfter(now);
    }
}
