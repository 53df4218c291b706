package shop.inventory;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * InventoryRepository stores stock, reservations and the ledger. Every method is one database
 * transaction (or one autocommit statement) that changes the counters together with the record that
 * explains the change; the implementation takes stock row locks in ascending goods id order, after
 * the reservation row where there is one, so two calls never deadlock on each other's goods.
 * Concurrency conflicts surface as {@link TransientConflictException}, to be retried.
 */
public interface InventoryRepository {

    /** stock returns the stock of a live goods (zeros without a stock row); empty if the goods is unknown. */
    Optional<StockLevel> stock(long goodsId);

    /** stocks returns the stock of those ids that are live goods, in ascending id order. */
    List<StockLevel> stocks(Collection<Long> goodsIds);

    /**
     * count sets a live goods' onHand to what was counted, if its stock version is still
     * {@code expectedVersion} and onHand stays at or above reserved, and records a COUNT movement with
     * the value it replaced.
     */
    StockChange count(long goodsId, int onHand, long expectedVersion, String caller, Instant at);

    /**
     * adjust adds {@code delta} to a live goods' onHand if it stays at or above reserved (and at most
     * {@link InventoryService#MAX_STOCK}) and records an ADJUSTMENT movement. With an idempotency key
     * (a digest of route, caller and the client's key) the key is written with the movement: a key
     * already committed answers that movement ({@code requestHash} equal) or {@link StockChange.KeyReused}.
     */
    StockChange adjust(Adjustment adjustment, String idempotencyKey, String requestHash, String caller, Instant at);

    /**
     * reserve adds every item to its goods' reserved and stores the reservation, all or nothing, in one
     * statement. Items are sorted by goods id, without duplicates.
     */
    ReserveOutcome reserve(String orderSn, List<ReservationItem> items, Instant expiresAt, String caller, Instant at);

    /**
     * reservePartial reserves, per item, what is available up to its units, in one transaction, and stores
     * the reservation with what it got and what was asked; nothing when no item got a unit ({@link ReserveOutcome.Short}).
     */
    ReserveOutcome reservePartial(String orderSn, List<ReservationItem> requested, Instant expiresAt, String caller,
                                  Instant at);

    /** find returns a reservation by order number. */
    Optional<Reservation> find(String orderSn);

    /** confirm moves a RESERVED reservation that has not expired at {@code now} to CONFIRMED: its units are sold. */
    TransitionOutcome confirm(String orderSn, Instant now, String caller);

    /** cancel moves a RESERVED reservation to RETURNED (cancelled), releasing its units. */
    TransitionOutcome cancel(String orderSn, Instant now, String caller);

    /**
     * extend moves a RESERVED reservation's expiry to {@code expiresAt} (never earlier than it was) if it
     * has not expired at {@code now}; racing the sweeper, exactly one of them changes the reservation.
     */
    TransitionOutcome extend(String orderSn, Instant now, Instant expiresAt);

    /**
     * sweepBatch returns the units of up to {@code limit} RESERVED reservations that expired by
     * {@code now}, skipping rows another transaction holds, and answers how many it returned.
     */
    int sweepBatch(Instant now, int limit);

    /** movements returns a page of a live goods' movements, newest first; empty if the goods is unknown. */
    Optional<MovementPage> movements(long goodsId, int page, int pageSize, int countUpTo);

    /**
     * reconcile compares, for every goods with a stock row or a record, the counters with the records,
     * in one consistent read, and returns the goods that disagree. It may first fold settled records
     * into a running balance (a write that changes no answer), so that a run costs the traffic since
     * the last one rather than the whole ledger; overlapping calls are safe.
     */
    Reconciliation reconcile();

    /**
     * Reconciliation is one check's result.
     *
     * @param checked    how many goods were compared
     * @param mismatches the goods whose counters disagree with their records
     * @param unfolded   the ledger's ids above the running balance after this run's fold: the records
     *                   later runs still have to fold (ids a rolled-back insert took count too)
     */
    record Reconciliation(long checked, List<Mismatch> mismatches, long unfolded) {
        /** Reconciliation copies the list. */
        public Reconciliation {
            mismatches = List.copyOf(mismatches);
        }
    }

    /**
     * oldestExpiredReserved is the expiry of the oldest reservation still RESERVED that expired by
     * {@code now}, or empty when none did: how far behind the sweeper is.
     */
    Optional<Instant> oldestExpiredReserved(Instant now);
}
