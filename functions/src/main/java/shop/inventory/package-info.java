/**
 * Inventory: stock per goods kept as on-hand and reserved units with a ledger that explains every
 * change; stock counts and adjustments; reservations of stock for orders (all items or none, or
 * partial), their extension, confirm on payment, and return on cancel or expiry.
 *
 * <h2>The model</h2>
 * Per goods, {@code onHand} (units physically held and sellable), {@code reserved} (units held by
 * RESERVED reservations) and {@code available = onHand - reserved}. The database enforces
 * {@code 0 <= reserved <= onHand} ({@code ck_inventory_reserved}). What each operation moves:
 * <table>
 *   <caption>Operations and the counters they move</caption>
 *   <tr><th>operation</th><th>onHand</th><th>reserved</th><th>version</th></tr>
 *   <tr><td>reserve</td><td>-</td><td>+ n, only if available &gt;= n (all items or none; or partial)</td><td>-</td></tr>
 *   <tr><td>confirm (paid: the units are sold)</td><td>- n</td><td>- n</td><td>+ 1</td></tr>
 *   <tr><td>cancel, or expiry by the sweeper</td><td>-</td><td>- n</td><td>-</td></tr>
 *   <tr><td>stock count ({@code If-Match: version})</td><td>:= counted</td><td>-</td><td>+ 1</td></tr>
 *   <tr><td>adjustment (received, returned, damaged, lost, correction)</td><td>+/- delta</td><td>-</td><td>+ 1</td></tr>
 * </table>
 * {@code version} is the version of onHand: a count is made against what was on the shelf, so a
 * confirm (units leaving), an adjustment or another count makes it stale (412). Reservations do not
 * move it: a flash sale never starves the warehouse's counts.
 *
 * <h2>The ledger: every change has a record written with it</h2>
 * <ul>
 *   <li>A reservation row ({@code stock_sell_detail}) is the record of its own reserve: its items,
 *       {@code created_at}, {@code reserved_by}. The reserve path writes nothing else, so the hot path
 *       is still one autocommit INSERT (see {@link shop.inventory.JdbcInventoryRepository}); a
 *       per-item ledger row there would cost each order a second insert per item.</li>
 *   <li>Settling a reservation (confirm, cancel, expiry) is one UPDATE of its row ({@code settled_at},
 *       {@code settled_by}, {@code return_reason}); its AFTER UPDATE trigger moves the counters and, in
 *       the same statement, writes per item the reservation's RESERVE row and its CONFIRM or RELEASE row
 *       into {@code stock_movement}, so that a goods' history is one indexed read. A BEFORE UPDATE
 *       trigger keeps the record honest: items never change, a settled reservation is final.</li>
 *   <li>Counts and adjustments are client transactions that lock the stock row, decide, and write the
 *       counters and their COUNT or ADJUSTMENT row (with the value a count replaced, the reason and
 *       reference of an adjustment, the caller, and the stock after it) before COMMIT. An adjustment's
 *       Idempotency-Key is a unique column of that row: a committed adjustment can never run twice, and
 *       the same key replays its first answer for good.</li>
 *   <li>The origin is migration V303's OPENING row per stocked goods (onHand at the upgrade, with the
 *       old {@code stock} as the value it replaced). Reservations live at the upgrade are records of
 *       their own reserve like any later one, so the OPENING row carries reserved 0.</li>
 * </ul>
 * {@code GET /inventory/{goodsId}/movements} lists the ledger rows and the RESERVE movements of the
 * goods' open reservations (read from the live set), newest first, in one consistent read; a
 * reservation's RESERVE keeps its time and place when it moves into the ledger.
 *
 * <h2>Reconciliation</h2>
 * For every goods, {@code onHand = SUM(on_hand_delta)} and
 * {@code reserved = SUM(reserved_delta) + units of its RESERVED reservations}, checked in one
 * statement (one consistent read in READ COMMITTED, so it runs under live traffic without false
 * alarms). The sums are not redone from the origin each run: records a run saw at least 10 minutes
 * earlier are folded into a running balance per goods ({@code stock_balance}, V304), and the check
 * adds to it only the records above {@code stock_balance_cursor.folded_through}, so a run costs the
 * goods and the traffic since the last fold, not the ledger's history; its answer is the full sum's
 * (JdbcInventoryRepository.reconcile says why ids, not times, and why 10 minutes). The ledger is
 * append-only: a record changed or deleted by hand after it was folded shows as a mismatch.
 * {@code InventoryReconciliationFunction} runs it every 15 minutes, logs each mismatched
 * goods with its numbers, and publishes {@code MismatchedGoods} (0 expected, published every run)
 * and {@code CheckedGoods} in namespace {@code ShopBackend}, dimension {@code Service=inventory};
 * {@code ./dev reconcile} runs the same check by hand. Every concurrency and fault test asserts it
 * after its run. A mismatch means something wrote the counters without a record (a manual UPDATE, a
 * bug): the ledger says what the number should be.
 *
 * <h2>The database is the safety</h2>
 * <ul>
 *   <li>A reservation is one autocommit {@code INSERT} of the order's reservation row, whose trigger
 *       adds each item to {@code reserved} in ascending goods id order, so two orders never wait on each
 *       other's rows in opposite order. A deleted goods' stock row is not {@code sellable} (a trigger on
 *       goods keeps that flag), which fails the statement like a missing stock row. The CHECK fails the
 *       whole statement when any item is short, and InnoDB rolls the statement back, row included.</li>
 *   <li>The row is written first and keyed by {@code orderSn}: the same order again fails on the
 *       primary key before any stock row is touched, so a repeat reserves nothing. It answers the
 *       stored reservation while that still holds its units (RESERVED and not expired) or sold them
 *       (CONFIRMED); a repeat of one that was returned or whose time is up is a 409
 *       ({@code reservation-returned}, {@code reservation-expired}) carrying the reservation, so an
 *       order service checking only the status cannot go on with stock it does not hold.</li>
 *   <li>A partial reservation locks its stock rows ({@code FOR UPDATE}, ascending), takes per item what
 *       is available up to its units, and inserts its row with what it got and what it asked for, in
 *       one transaction; nothing available at all is a 409 with the shortages.</li>
 *   <li>Confirm and extension are conditional updates of the row ({@code RESERVED} and not expired);
 *       cancel updates a {@code RESERVED} row; the sweeper claims expired {@code RESERVED} rows with
 *       {@code FOR UPDATE SKIP LOCKED} in bounded batches and locks their goods ascending before
 *       settling them. Exactly one of confirm, cancel, extension-or-expiry wins an order: an extension
 *       racing the sweeper either commits first (the sweeper's locking read then sees the new expiry,
 *       or skips the row while it is held) or waits and finds the row RETURNED.</li>
 *   <li>A deadlock, a lock-wait timeout or a lost connection is retried with jittered back-off a
 *       bounded number of times (every operation is safe to repeat: reserve by order number,
 *       transitions by status, adjustments by key, counts by version), then answered 503.</li>
 *   <li>No test hook ships: no SLEEP or session variable in a trigger, no pause switch in the
 *       repository. Tests pause a statement from their side (a test-only trigger that FOLLOWS the
 *       product's and waits on a lock the test holds) and kill its connection.</li>
 * </ul>
 *
 * <h2>The RedLock is efficiency</h2>
 * {@code LOCK_MODE=rowlock} (the default) sends every reservation to the database, where the orders
 * of one goods queue on its row. With {@code LOCK_MODE=redlock}, {@link shop.inventory.RedLockOrderLock}
 * puts the slot gate of {@link shop.lock} in front; what that mode promises:
 * <ul>
 *   <li>A quiet goods (at most REDLOCK_HOT_AFTER reservations in 100 ms, nobody queued) costs one round
 *       trip to its home Redis node and takes no lock: its reservations meet only on the row, as in
 *       rowlock mode. Quorum loss does not concern it.</li>
 *   <li>A hot goods admits at most REDLOCK_SLOTS reservations to the database at once, each holding
 *       one of its slots' RedLock leases (on a majority of nodes, so the bound survives the loss of
 *       any one node's memory); the rest queue in Redis and are handed a lease first come first served.
 *       In the instant a goods turns hot, the reservations of that window that went on without a slot
 *       count against its slots for 100 ms, against the leases parked by an earlier burst as against
 *       new ones. The bound assumes what the gate cannot see: that a reservation is done within its
 *       lease, and one that went on without a slot within those 100 ms; reservations of an earlier
 *       100 ms, or that went on beside a slot holder still in the database when the goods' hot mark
 *       lapsed (500 ms after the burst that last renewed it), are not counted ({@code shop.lock}: the
 *       bound, exactly).</li>
 *   <li>A reservation that waited REDLOCK_MAX_WAIT_MS (or what the request had left) for a slot is
 *       refused with 503 goods-busy and Retry-After, nothing written ({@code LOCK_ON_CONTENTION=fail},
 *       the default), or goes on under row locks alone ({@code proceed}). A hot goods that needs a new
 *       lease while fewer than a majority of nodes answer goes on under row locks alone
 *       ({@code LOCK_ON_QUORUM_LOSS=proceed}) or answers 503 ({@code fail}); leases already granted
 *       serve until they need extending (at most the 5 s lease).</li>
 *   <li>It is detection by arrival rate: a goods whose reservations arrive slower than that but each
 *       take long (an overloaded database) is not seen as hot, and its waiters are not bounded.</li>
 * </ul>
 * Correctness never depends on the lock (a paused holder can outlive its lease; the row locks still
 * protect the stock).
 */
package shop.inventory;
