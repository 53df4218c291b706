package shop.inventory;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * InventoryRepository stores stock and reservations. Every method is one database transaction (or one
 * autocommit statement); the implementation takes inventory row locks in ascending goods id order, so
 * two calls never deadlock on each other's goods. Concurrency conflicts surface as
 * {@link TransientConflictException}, to be retried.
 */
public interface InventoryRepository {

    /** stock returns the stock of a live goods (0 without a stock row); empty if the goods is unknown. */
    Optional<StockLevel> stock(long goodsId);

    /** stocks returns the stock of those ids that are live goods, in ascending id order. */
    List<StockLevel> stocks(Collection<Long> goodsIds);

    /** setStock sets the stock of a live goods; false if the goods is unknown. */
    boolean setStock(long goodsId, int stock);

    /**
     * reserve deducts every item and stores the reservation, all or nothing, in one transaction. Items
     * are sorted by goods id, without duplicates.
     */
    ReserveOutcome reserve(String orderSn, List<ReservationItem> items, Instant expiresAt);

    /** find returns a reservation by order number. */
    Optional<Reservation> find(String orderSn);

    /** confirm moves a RESERVED reservation that has not expired at {@code now} to CONFIRMED. */
    TransitionOutcome confirm(String orderSn, Instant now);

    /** cancel moves a RESERVED reservation to RETURNED and returns its stock, in one transaction. */
    TransitionOutcome cancel(String orderSn);

    /**
     * sweepBatch returns the stock of up to {@code limit} RESERVED reservations that expired by
     * {@code now}, skipping rows another transaction holds, and answers how many it returned.
     */
    int sweepBatch(Instant now, int limit);

    /**
     * oldestExpiredReserved is the expiry of the oldest reservation still RESERVED that expired by
     * {@code now}, or empty when none did: how far behind the sweeper is.
     */
    java.util.Optional<Instant> oldestExpiredReserved(Instant now);
}
