/**
 * Inventory: set and read stock, reserve it for an order (all items or none), confirm it on
 * payment, return it on cancel or when the reservation expires.
 *
 * <h2>The database is the safety</h2>
 * <ul>
 *   <li>A reservation is one autocommit {@code INSERT} of the order's {@code stock_sell_detail} row,
 *       whose trigger (migrations V301, V302) deducts each item's stock in ascending {@code goods_id}
 *       order, so two orders never wait on each other's rows in opposite order. A deleted goods'
 *       stock row is not {@code sellable} (a trigger on goods keeps that flag), which fails the
 *       statement like a missing stock row.
 *       {@code CHECK (stock >= 0)} fails the whole statement when any item is short, and InnoDB rolls
 *       the statement back, detail row included: all items or none.</li>
 *   <li>The detail row is written first and keyed by {@code orderSn}: the same order again fails on
 *       the primary key before any stock row is touched, so a repeat deducts nothing and answers the
 *       stored reservation (a different item list is a 409).</li>
 *   <li>Confirm is a conditional update of the detail row ({@code RESERVED} and not expired); cancel
 *       locks the detail row, returns each item once and marks it {@code RETURNED}; the sweeper claims
 *       expired {@code RESERVED} rows with {@code FOR UPDATE SKIP LOCKED} in bounded batches. Exactly
 *       one of confirm, cancel and the sweeper wins an order.</li>
 *   <li>A deadlock, a lock-wait timeout or a lost connection is retried with jittered back-off a
 *       bounded number of times (every operation is safe to repeat), then answered 503.</li>
 * </ul>
 *
 * <h2>The RedLock is efficiency</h2>
 * With {@code LOCK_MODE=redlock}, {@link shop.inventory.RedLockOrderLock} takes a RedLock
 * ({@link shop.lock}) over the order's goods before the statement, so concurrent Lambda instances
 * wait in Redis rather than on database connections and row locks. Correctness never depends on it
 * (a paused holder can outlive its lock; the row locks still protect the stock). With fewer than a
 * majority of Redis nodes answering, {@code LOCK_ON_QUORUM_LOSS=proceed} goes on under row locks
 * alone (logged and counted) and {@code fail} answers 503. {@code LOCK_MODE=rowlock} skips Redis.
 */
package shop.inventory;
