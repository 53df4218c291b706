package shop.inventory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.deadline.Deadline;
import shop.platform.error.ConflictException;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.ForbiddenException;
import shop.platform.error.NotFoundException;
import shop.platform.error.ProblemException;
import shop.platform.error.Validation;
import shop.platform.json.Json;
import shop.platform.snapstart.SnapshotSafeRandom;

/**
 * InventoryService holds the rules of stock: read it, count it and adjust it (each with its ledger
 * record), reserve all items of an order or none (or, asked, what is available), extend a reservation,
 * confirm or cancel it once, and return expired ones. Each operation is one repository transaction,
 * retried with jittered back-off when it lost a lock conflict (deadlock, lock wait timeout) or its
 * connection; every one is safe to repeat, so a retry can never apply twice.
 *
 * <p>Reservations first take the {@link OrderLock} on their goods (sorted), so that concurrent
 * instances queue there rather than on database row locks. The lock is never what keeps stock right.
 */
public final class InventoryService {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryService.class);

    /** MAX_ITEMS bounds the items of a reservation and the ids of a batch read. */
    public static final int MAX_ITEMS = 100;
    /** MAX_STOCK bounds a stock level so that returns can never overflow the column. */
    public static final int MAX_STOCK = 1_000_000_000;
    /** MAX_NUM bounds one item's units. */
    public static final int MAX_NUM = 1_000_000;
    /** DEFAULT_TTL_SECONDS is how long an unconfirmed reservation holds stock when not told. */
    public static final int DEFAULT_TTL_SECONDS = 900;
    /** MAX_REFERENCE bounds an adjustment's reference. */
    public static final int MAX_REFERENCE = 128;
    /** MAX_MOVEMENT_WINDOW is how many of a goods' newest movements a client may page through. */
    public static final int MAX_MOVEMENT_WINDOW = 10_000;
    static final int DEFAULT_PAGE_SIZE = 20;
    static final int MAX_PAGE_SIZE = 100;
    static final int MIN_TTL_SECONDS = 60;
    static final int MAX_TTL_SECONDS = 86_400;
    static final int MAX_ATTEMPTS = 8;
    static final Duration RETRY_BUDGET = Duration.ofSeconds(10);
    /** TRANSACTION_TIME is what a lock wait leaves of the request's time for the transaction after it. */
    static final Duration TRANSACTION_TIME = Duration.ofSeconds(2);
    private static final Pattern ORDER_SN = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final InventoryRepository repository;
    private final OrderLock lock;
    private final InventoryConfig.QuorumLoss onQuorumLoss;
    private final InventoryConfig.Contention onContention;
    private final Clock clock;
    private final InventoryMetrics metrics = new InventoryMetrics();

    /**
     * InventoryService works on a repository behind a lock, with the wall clock; a reservation that
     * waited its time for a hot goods' slot goes on under row locks alone.
     */
    public InventoryService(InventoryRepository repository, OrderLock lock, InventoryConfig.QuorumLoss onQuorumLoss) {
        this(repository, lock, onQuorumLoss, InventoryConfig.Contention.PROCEED);
    }

    /** InventoryService works on a repository behind a lock, with the wall clock and both lock policies. */
    public InventoryService(InventoryRepository repository, OrderLock lock, InventoryConfig.QuorumLoss onQuorumLoss,
                            InventoryConfig.Contention onContention) {
        this(repository, lock, onQuorumLoss, onContention, Clock.systemUTC());
    }

    InventoryService(InventoryRepository repository, OrderLock lock, InventoryConfig.QuorumLoss onQuorumLoss,
                     Clock clock) {
        this(repository, lock, onQuorumLoss, InventoryConfig.Contention.PROCEED, clock);
    }

    InventoryService(InventoryRepository repository, OrderLock lock, InventoryConfig.QuorumLoss onQuorumLoss,
                     InventoryConfig.Contention onContention, Clock clock) {
        this.repository = repository;
        this.lock = lock;
        this.onQuorumLoss = onQuorumLoss;
        this.onContention = onContention;
        this.clock = clock;
    }

    OrderLock lock() {
        return lock;
    }

    InventoryRepository repository() {
        return repository;
    }

    /** lockMetrics returns the order lock's counters, when the lock keeps any (redlock mode). */
    public java.util.Optional<shop.lock.RedLockMetrics.Snapshot> lockMetrics() {
        return lock.metrics();
    }

    /** lockGateMetrics returns the slot gate's counters, when the lock has one (redlock mode). */
    public java.util.Optional<shop.lock.SlotGateMetrics.Snapshot> lockGateMetrics() {
        return lock.gateMetrics();
    }

    /** metrics are this instance's counters. */
    public InventoryMetrics metrics() {
        return metrics;
    }

    /** ReserveResult is the reservation and whether this call made it (201) or found it made (200). */
    public record ReserveResult(Reservation reservation, boolean created) {
    }

    /** AdjustResult is an adjustment's record and the stock after it, and whether it is a replay of a committed one. */
    public record AdjustResult(Movement movement, StockLevel level, boolean replayed) {
    }

    /** stock returns a goods' stock; 404 for an unknown goods. */
    public StockLevel stock(long goodsId) {
        return retrying(() -> repository.stock(goodsId))
                .orElseThrow(() -> new NotFoundException("No goods with id " + goodsId + "."));
    }

    /** stocks returns the stock of up to 100 goods, in the order asked; 404 naming any unknown. */
    public List<StockLevel> stocks(List<Long> goodsIds) {
        Validation v = new Validation();
        v.when(goodsIds == null, "goodsIds", "is required");
        if (goodsIds != null) {
            v.when(goodsIds.isEmpty(), "goodsIds", "must not be empty");
            v.when(goodsIds.size() > MAX_ITEMS, "goodsIds", "must have at most " + MAX_ITEMS + " ids");
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < goodsIds.size(); i++) {
                Long id = goodsIds.get(i);
                v.when(id == null || id <= 0, "goodsIds[" + i + "]", "must be a positive goods id");
                v.when(id != null && !seen.add(id), "goodsIds[" + i + "]", "repeats goods " + id);
            }
        }
        v.check();
        List<StockLevel> found = retrying(() -> repository.stocks(goodsIds));
        Map<Long, StockLevel> byId = new java.util.HashMap<>();
        found.forEach(s -> byId.put(s.goodsId(), s));
        List<Long> unknown = goodsIds.stream().filter(id -> !byId.containsKey(id)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new NotFoundException("No goods with id " + unknown + ".", Map.of("goodsIds", unknown));
        }
        return goodsIds.stream().map(byId::get).toList();
    }

    /**
     * count records a stock count: the goods' onHand becomes what was counted on the shelf. The count
     * names the version of the stock it saw ({@code If-Match}): without one it is a 428, with a stale one
     * a 412 (someone counted, adjusted or sold meanwhile; read again and recount); below what open
     * reservations hold it is a 409 naming both numbers. Reserved units stay reserved.
     */
    public StockLevel count(long goodsId, Integer onHand, Long expectedVersion, String caller) {
        if (expectedVersion == null) {
            throw new ProblemException(428, "precondition-required", "Precondition required",
                    "A stock count must say which version of the stock it counted against: send If-Match with"
                            + " the version from GET /inventory/" + goodsId + ".", Map.of("header", "If-Match"));
        }
        new Validation().required("onHand", onHand)
                .when(onHand != null && (onHand < 0 || onHand > MAX_STOCK), "onHand",
                        "must be a whole number between 0 and " + MAX_STOCK).check();
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return switch (retrying(() -> repository.count(goodsId, onHand, expectedVersion, caller, at))) {
            case StockChange.Applied a -> a.level();
            case StockChange.StaleVersion s -> throw new ProblemException(412, "precondition-failed",
                    "Precondition failed", "The stock of goods " + goodsId + " is at version " + s.current().version()
                    + ", not " + expectedVersion + ": it changed since it was read. Read it again and recount.",
                    Map.of("goodsId", goodsId, "version", s.current().version()));
            case StockChange.BelowReserved b -> throw belowReserved(goodsId, b.onHand(), b.current());
            case StockChange.UnknownGoods u -> throw new NotFoundException("No goods with id " + goodsId + ".");
            case StockChange.Replayed r -> throw new IllegalStateException("a count is never replayed");
            case StockChange.KeyReused k -> throw new IllegalStateException("a count has no idempotency key");
            case StockChange.AboveMaximum m -> throw new IllegalStateException("a count is validated against the maximum");
        };
    }

    /**
     * adjust records a change of onHand with its reason. {@code received} and {@code returned} add units,
     * {@code damaged} and {@code lost} remove them, a {@code correction} does either; a caller with role
     * service (not admin) may only record receipts and returns (403 otherwise). With an Idempotency-Key,
     * the key is committed with the record: the same key and content again answers the first record
     * ({@code replayed}) and changes nothing, other content is a 409. A result below reserved is a 409.
     */
    public AdjustResult adjust(long goodsId, Integer delta, String reason, String reference, boolean admin,
                               String caller, String idempotencyKey) {
        Validation v = new Validation();
        Optional<AdjustmentReason> why = Optional.ofNullable(reason).flatMap(AdjustmentReason::of);
        v.required("delta", delta).required("reason", reason);
        v.when(reason != null && !reason.isBlank() && why.isEmpty(), "reason", "must be one of " + AdjustmentReason.codes());
        v.when(delta != null && delta == 0, "delta", "must not be 0");
        v.when(delta != null && Math.abs((long) delta) > MAX_STOCK, "delta",
                "must be between -" + MAX_STOCK + " and " + MAX_STOCK);
        if (delta != null && delta != 0 && why.isPresent() && why.get().sign() != 0
                && Integer.signum(delta) != why.get().sign()) {
            v.add("delta", why.get().sign() > 0 ? "must be positive for reason " + why.get().code()
                    : "must be negative for reason " + why.get().code());
        }
        v.maxLength("reference", reference, MAX_REFERENCE);
        v.when(reference != null && reference.isBlank(), "reference", "must not be blank (leave it out instead)");
        if (idempotencyKey != null) {
            v.when(idempotencyKey.isEmpty() || idempotencyKey.length() > 255
                            || !idempotencyKey.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7e),
                    "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
        }
        v.check();
        if (!admin && !why.get().serviceMay()) {
            throw new ForbiddenException("Role service may record received and returned goods only; reason "
                    + why.get().code() + " needs role admin.");
        }
        Adjustment adjustment = new Adjustment(goodsId, delta, why.get(), reference);
        String key = idempotencyKey == null ? null
                : sha256("POST /inventory/{goodsId}/adjustments\n" + caller + "\n" + idempotencyKey);
        String content = sha256(Json.write(List.of(goodsId, delta, why.get().code(), reference == null ? "" : reference)));
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return switch (retrying(() -> repository.adjust(adjustment, key, content, caller, at))) {
            case StockChange.Applied a -> new AdjustResult(a.movement(), a.level(), false);
            case StockChange.Replayed r -> new AdjustResult(r.movement(), r.level(), true);
            case StockChange.KeyReused k -> throw new ConflictException("idempotency-key-reused", "Idempotency key reused",
                    "This Idempotency-Key was used with a different adjustment.", Map.of());
            case StockChange.BelowReserved b -> throw belowReserved(goodsId, b.onHand(), b.current());
            case StockChange.AboveMaximum m -> throw new ConflictException("stock-limit", "Stock limit",
                    "Goods " + goodsId + " would have " + m.onHand() + " units on hand, more than " + MAX_STOCK + ".",
                    Map.of("goodsId", goodsId, "onHand", m.current().onHand(), "limit", MAX_STOCK));
            case StockChange.UnknownGoods u -> throw new NotFoundException("No goods with id " + goodsId + ".");
            case StockChange.StaleVersion s -> throw new IllegalStateException("an adjustment names no version");
        };
    }

    /**
     * movements lists a goods' ledger, newest first: counts, adjustments, the opening balance, and each
     * reservation's reserve and its confirm or release. 404 for an unknown goods.
     */
    public MovementPage movements(long goodsId, Long page, Long pageSize) {
        long p = page == null ? 1 : page;
        long size = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        new Validation().range("page", p, 1, MAX_MOVEMENT_WINDOW).range("pageSize", size, 1, MAX_PAGE_SIZE).check();
        new Validation().when(p * size > MAX_MOVEMENT_WINDOW, "page", "page * pageSize must be at most "
                + MAX_MOVEMENT_WINDOW + " (the newest " + MAX_MOVEMENT_WINDOW + " movements)").check();
        return retrying(() -> repository.movements(goodsId, (int) p, (int) size, MAX_MOVEMENT_WINDOW))
                .orElseThrow(() -> new NotFoundException("No goods with id " + goodsId + "."));
    }

    /** reconcile compares every goods' counters with its records (see {@link InventoryRepository#reconcile()}). */
    public InventoryRepository.Reconciliation reconcile() {
        return retrying(repository::reconcile);
    }

    /**
     * reserve holds every item or none; with {@code allowPartial}, each item holds what is available up
     * to its units, and nothing held at all is a 409 with the shortages. A repeat of the same order
     * number with the same request answers the stored reservation without holding more (200) while it
     * is RESERVED and not expired, or CONFIRMED; a repeat of one whose stock was returned or whose time
     * is up is a 409 ({@code reservation-returned}, {@code reservation-expired}) with the reservation in
     * the body; other items are a 409 ({@code reservation-mismatch}).
     */
    public ReserveResult reserve(ReserveRequest request, String caller) {
        List<ReservationItem> items = validate(request);
        boolean partial = Boolean.TRUE.equals(request.allowPartial());
        String orderSn = request.orderSn();
        int ttl = request.ttlSeconds() == null ? DEFAULT_TTL_SECONDS : request.ttlSeconds();
        Instant now = clock.instant();
        // Millisecond precision, as stored, so a repeat answers exactly the same expiresAt.
        Instant expiresAt = now.plusSeconds(ttl).truncatedTo(ChronoUnit.MILLIS);
        List<Long> goodsIds = items.stream().map(ReservationItem::goodsId).toList();
        ReserveOutcome outcome;
        try (OrderLock.Release ignored = lock(goodsIds, orderSn)) {
            outcome = retrying(() -> partial ? repository.reservePartial(orderSn, items, expiresAt, caller, now)
                    : repository.reserve(orderSn, items, expiresAt, caller, now));
        }
        return switch (outcome) {
            case ReserveOutcome.Reserved r -> new ReserveResult(r.reservation(), true);
            case ReserveOutcome.AlreadyExists e -> {
                Reservation existing = e.existing();
                List<ReservationItem> stored = existing.requested() != null ? existing.requested() : existing.items();
                if (!stored.equals(items) || (existing.requested() != null) != partial) {
                    throw new ConflictException("reservation-mismatch", "Order number already used",
                            "Order " + orderSn + " was reserved with other items" + (existing.requested() != null
                                    != partial ? " or another allowPartial" : "") + ".",
                            Map.of("orderSn", orderSn, "items", stored));
                }
                if (existing.status() == ReservationStatus.RETURNED || (existing.status() == ReservationStatus.RESERVED
                        && existing.expiredAt(clock.instant()))) {
                    throw notHeld(existing);
                }
                yield new ReserveResult(existing, false);
            }
            case ReserveOutcome.Short s -> throw new ConflictException("insufficient-stock", "Insufficient stock",
                    "Not enough stock for goods " + s.shortages().stream().map(Shortage::goodsId).toList()
                            + "; nothing was reserved.", Map.of("shortages", s.shortages()));
            case ReserveOutcome.UnknownGoods u -> throw new NotFoundException(
                    "No goods with id " + u.goodsIds() + "; nothing was reserved.", Map.of("goodsIds", u.goodsIds()));
        };
    }

    /** get returns a reservation; 404 when the order number has none. */
    public Reservation get(String orderSn) {
        requireOrderSn(orderSn);
        return retrying(() -> repository.find(orderSn)).orElseThrow(() -> notFound(orderSn));
    }

    /**
     * confirm makes a reservation final: its units are sold. Repeating it answers the same. A returned
     * reservation is a 409 ({@code reservation-returned} when cancelled, {@code reservation-expired} when
     * it expired), and so is a RESERVED one whose time is up, even before the sweeper came: the outcome
     * never depends on when the sweeper runs, and the sweeper releases the units.
     */
    public Reservation confirm(String orderSn, String caller) {
        requireOrderSn(orderSn);
        Instant now = clock.instant();
        TransitionOutcome outcome = retrying(() -> repository.confirm(orderSn, now, caller));
        Reservation r = outcome.reservation().orElseThrow(() -> notFound(orderSn));
        if (r.status() != ReservationStatus.CONFIRMED) {
            throw notHeld(r);
        }
        return r;
    }

    /** cancel releases a reservation's units exactly once. Repeating it answers the same; a confirmed one is a 409. */
    public Reservation cancel(String orderSn, String caller) {
        requireOrderSn(orderSn);
        Instant now = clock.instant();
        TransitionOutcome outcome = retrying(() -> repository.cancel(orderSn, now, caller));
        Reservation r = outcome.reservation().orElseThrow(() -> notFound(orderSn));
        if (r.status() == ReservationStatus.CONFIRMED) {
            throw notHeld(r);
        }
        return r;
    }

    /**
     * extend moves a RESERVED reservation's expiry to {@code ttlSeconds} from now (within the bounds of a
     * new reservation; never earlier than it was). A reservation whose time is up, or that was confirmed
     * or returned, is a 409 naming its state, with the reservation. Racing the sweeper, exactly one of
     * them wins: extended, or expired.
     */
    public Reservation extend(String orderSn, Integer ttlSeconds) {
        Validation v = new Validation();
        validateOrderSn(v, orderSn);
        v.required("ttlSeconds", ttlSeconds);
        v.when(ttlSeconds != null && (ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS), "ttlSeconds",
                "must be between " + MIN_TTL_SECONDS + " and " + MAX_TTL_SECONDS);
        v.check();
        Instant now = clock.instant();
        Instant expiresAt = now.plusSeconds(ttlSeconds).truncatedTo(ChronoUnit.MILLIS);
        TransitionOutcome outcome = retrying(() -> repository.extend(orderSn, now, expiresAt));
        Reservation r = outcome.reservation().orElseThrow(() -> notFound(orderSn));
        if (!outcome.changed()) {
            throw notHeld(r);
        }
        return r;
    }

    /**
     * sweep returns the stock of expired reservations in batches of {@code batchSize}, until none is
     * left, {@code maxBatches} ran, or {@code timeLeft} says to stop; answers how many it returned.
     */
    public int sweep(int batchSize, int maxBatches, Supplier<Duration> timeLeft) {
        int total = 0;
        for (int batch = 0; batch < maxBatches && timeLeft.get().compareTo(Duration.ofSeconds(5)) > 0; batch++) {
            Instant now = clock.instant();
            int returned = retrying(() -> repository.sweepBatch(now, batchSize));
            total += returned;
            if (returned < batchSize) {
                break;
            }
        }
        return total;
    }

    /**
     * notHeld is the 409 for a reservation that does not hold its units now (or holds them for good),
     * with the reservation in the body: reservation-confirmed, reservation-returned (cancelled) or
     * reservation-expired (swept, or its time is up).
     */
    private ConflictException notHeld(Reservation r) {
        String orderSn = r.orderSn();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("orderSn", orderSn);
        if (r.status() == ReservationStatus.CONFIRMED) {
            body.put("reservationStatus", r.status());
            body.put("reservation", r);
            return new ConflictException("reservation-confirmed", "Reservation confirmed",
                    "Order " + orderSn + " is confirmed; its units are sold and no longer reserved.", body);
        }
        if (r.status() == ReservationStatus.RETURNED && r.returnReason() == ReturnReason.CANCELLED) {
            body.put("reservationStatus", r.status());
            body.put("reservation", r);
            return new ConflictException("reservation-returned", "Reservation returned",
                    "Order " + orderSn + " was cancelled; its stock was returned.", body);
        }
        body.put("expiresAt", r.expiresAt());
        body.put("reservationStatus", r.status());
        body.put("reservation", r);
        return new ConflictException("reservation-expired", "Reservation expired",
                "Order " + orderSn + " expired at " + r.expiresAt() + (r.status() == ReservationStatus.RETURNED
                        ? "; its stock was returned." : "; its stock will be returned."), body);
    }

    private static ConflictException belowReserved(long goodsId, int onHand, StockLevel current) {
        return new ConflictException("below-reserved", "Below reserved",
                "Goods " + goodsId + " cannot have " + onHand + " units on hand: open reservations hold "
                        + current.reserved() + ". Cancel or let them expire first, or count again.",
                Map.of("goodsId", goodsId, "onHand", onHand, "reserved", current.reserved()));
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * sweepLag is how long the oldest expired reservation still RESERVED has been expired (zero when
     * none is): after a sweep, what the sweeper left behind.
     */
    public Duration sweepLag() {
        Instant now = clock.instant();
        return repository.oldestExpiredReserved(now).map(oldest -> Duration.between(oldest, now)).orElse(Duration.ZERO);
    }

    private OrderLock.Release lock(List<Long> goodsIds, String orderSn) {
        Deadline deadline = Deadline.current();
        deadline.check("the order lock");
        // Wait no longer than leaves the transaction its time; with less left, one attempt.
        Duration wait = deadline.cap(ChronoUnit.FOREVER.getDuration(), TRANSACTION_TIME);
        return switch (lock.acquire(goodsIds, wait)) {
            case OrderLock.Held held -> held.release();
            case OrderLock.Open open -> () -> { };
            case OrderLock.Contended c -> {
                metrics.countLockContended();
                if (onContention == InventoryConfig.Contention.FAIL) {
                    // Shed the order rather than add a waiter the lock exists to keep off the database.
                    LOG.info("order lock on goods {} contended past its wait; refusing {} (LOCK_ON_CONTENTION=fail)",
                            goodsIds, orderSn);
                    throw new ProblemException(503, "goods-busy", "Goods busy", "Too many orders are waiting for goods "
                            + goodsIds + "; nothing was reserved. Retry in a moment.",
                            Map.of("goodsIds", goodsIds, "retryAfterSeconds", 1), Duration.ofSeconds(1));
                }
                LOG.warn("order lock on goods {} contended past its wait; reserving {} under row locks alone",
                        goodsIds, orderSn);
                yield () -> { };
            }
            case OrderLock.QuorumLost q -> {
                metrics.countLockQuorumLost();
                if (onQuorumLoss == InventoryConfig.QuorumLoss.FAIL) {
                    LOG.warn("order lock has no quorum; refusing {} (LOCK_ON_QUORUM_LOSS=fail)", orderSn);
                    throw new DependencyUnavailableException("the lock service", null);
                }
                LOG.warn("order lock has no quorum; reserving {} under row locks alone", orderSn);
                yield () -> { };
            }
        };
    }

    /**
     * retrying runs one transaction, again after a transient conflict, with full-jitter back-off,
     * within RETRY_BUDGET and the request's deadline (each attempt's connection wait and reads are
     * bounded by it too, see {@code shop.platform.db.Bounded}); out of time, a 503 that says so.
     */
    private <T> T retrying(Supplier<T> transaction) {
        Deadline request = Deadline.current();
        long deadline = System.nanoTime() + request.cap(RETRY_BUDGET, Duration.ZERO).toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (TransientConflictException e) {
                if (request.expired()) {
                    LOG.warn("out of time after {} attempts", attempt, e);
                    throw new DeadlineExceededException("the database", e);
                }
                if (attempt >= MAX_ATTEMPTS || System.nanoTime() - deadline > 0) {
                    LOG.warn("giving up after {} attempts", attempt, e);
                    throw new DependencyUnavailableException("the database", e);
                }
                metrics.countRetry();
                LOG.debug("attempt {} lost a conflict, retrying: {}", attempt, e.getMessage());
                long capMillis = Math.min(Math.min(100, 2L << attempt),
                        Math.max(1, request.remaining().toMillis()));
                try {
                    Thread.sleep(SnapshotSafeRandom.current().nextLong(1, capMillis + 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DependencyUnavailableException("the database", e);
                }
            }
        }
    }

    private static List<ReservationItem> validate(ReserveRequest request) {
        Validation v = new Validation();
        validateOrderSn(v, request.orderSn());
        List<ReserveRequest.Item> items = request.items();
        v.when(items == null, "items", "is required");
        List<ReservationItem> out = new ArrayList<>();
        if (items != null) {
            v.when(items.isEmpty(), "items", "must not be empty");
            v.when(items.size() > MAX_ITEMS, "items", "must have at most " + MAX_ITEMS + " items");
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                ReserveRequest.Item item = items.get(i);
                String at = "items[" + i + "]";
                if (item == null) {
                    v.add(at, "is required");
                    continue;
                }
                v.when(item.goodsId() == null, at + ".goodsId", "is required");
                v.when(item.goodsId() != null && item.goodsId() <= 0, at + ".goodsId", "must be a positive goods id");
                v.when(item.goodsId() != null && item.goodsId() > 0 && !seen.add(item.goodsId()), at + ".goodsId",
                        "repeats goods " + item.goodsId() + "; put each goods in one item");
                v.when(item.num() == null, at + ".num", "is required");
                v.when(item.num() != null && (item.num() < 1 || item.num() > MAX_NUM), at + ".num",
                        "must be a whole number between 1 and " + MAX_NUM);
                if (item.goodsId() != null && item.num() != null) {
                    out.add(new ReservationItem(item.goodsId(), item.num()));
                }
            }
        }
        v.when(request.ttlSeconds() != null
                        && (request.ttlSeconds() < MIN_TTL_SECONDS || request.ttlSeconds() > MAX_TTL_SECONDS),
                "ttlSeconds", "must be between " + MIN_TTL_SECONDS + " and " + MAX_TTL_SECONDS);
        v.check();
        out.sort(Comparator.comparingLong(ReservationItem::goodsId));
        return List.copyOf(out);
    }

    private static void requireOrderSn(String orderSn) {
        Validation v = new Validation();
        validateOrderSn(v, orderSn);
        v.check();
    }

    private static void validateOrderSn(Validation v, String orderSn) {
        v.required("orderSn", orderSn);
        v.when(orderSn != null && !orderSn.isBlank() && !ORDER_SN.matcher(orderSn).matches(), "orderSn",
                "must be 1 to 64 letters, digits, '_' or '-'");
    }

    private static NotFoundException notFound(String orderSn) {
        return new NotFoundException("No reservation for order " + orderSn + ".");
    }

}
