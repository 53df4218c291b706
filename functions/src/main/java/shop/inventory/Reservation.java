package shop.inventory;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reservation is the stock held for one order, as stored in {@code stock_sell_detail}: the record of
 * its own reserve, and of its confirm or release.
 *
 * @param orderSn      the order's number, the reservation's identity
 * @param status       where it is in its life
 * @param items        the units held per goods, sorted by goods id (for a partial reservation, what it got)
 * @param expiresAt    when an unconfirmed reservation is returned by the sweeper (millisecond precision)
 * @param createdAt    when it was made
 * @param settledAt    when it was confirmed or returned; null while RESERVED
 * @param returnReason why a RETURNED reservation was returned; null otherwise
 * @param requested    for a partial reservation ({@code allowPartial}), the items asked for; null otherwise
 */
@JsonPropertyOrder({"orderSn", "status", "partial", "items", "requested", "shortages", "expiresAt", "createdAt",
        "settledAt", "returnReason"})
public record Reservation(String orderSn, ReservationStatus status, List<ReservationItem> items, Instant expiresAt,
                          Instant createdAt, Instant settledAt, ReturnReason returnReason,
                          List<ReservationItem> requested) {

    /** Reservation copies the lists. */
    public Reservation {
        items = List.copyOf(items);
        requested = requested == null ? null : List.copyOf(requested);
    }

    /** expiredAt tells whether the reservation's time is up at {@code now}. */
    public boolean expiredAt(Instant now) {
        return !expiresAt.isAfter(now);
    }

    /** partial is true for a reservation made with {@code allowPartial}, absent otherwise. */
    @JsonProperty("partial")
    public Boolean partial() {
        return requested == null ? null : Boolean.TRUE;
    }

    /**
     * shortages lists, for a partial reservation, each item that got fewer units than asked for, with
     * how many it got ({@code available}); absent for an all-or-nothing one.
     */
    @JsonProperty("shortages")
    public List<Shortage> shortages() {
        if (requested == null) {
            return null;
        }
        Map<Long, Integer> got = new HashMap<>();
        items.forEach(i -> got.put(i.goodsId(), i.num()));
        List<Shortage> out = new ArrayList<>();
        for (ReservationItem asked : requested) {
            int held = got.getOrDefault(asked.goodsId(), 0);
            if (held < asked.num()) {
                out.add(new Shortage(asked.goodsId(), asked.num(), held));
            }
        }
        return out;
    }
}
