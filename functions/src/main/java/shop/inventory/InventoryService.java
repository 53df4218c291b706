package shop.inventory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.deadline.Deadline;
import shop.platform.error.ConflictException;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.NotFoundException;
import shop.platform.error.ProblemException;
import shop.platform.error.Validation;
import shop.platform.snapstart.SnapshotSafeRandom;

/**
 * InventoryService holds the rules of stock: set and read it, reserve all items of an order or none,
 * confirm or cancel a reservation once, and return expired ones. Each operation is one repository
 * transaction, retried with jittered back-off when it lost a lock conflict (deadlock, lock wait
 * timeout) or its connection; every one is safe to repeat, so a retry can never apply twice.
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

    /** setStock sets the stock of an existing goods; 400 outside 0..MAX_STOCK, 404 for an unknown goods. */
    public StockLevel setStock(long goodsId, Integer stock) {
        new Validation().required("stock", stock)
                .when(stock != null && (stock < 0 || stock > MAX_STOCK), "stock",
                        "must be a whole number between 0 and " + MAX_STOCK).check();
        if (!retrying(() -> repository.setStock(goodsId, stock))) {
            throw new NotFoundException("No goods with id " + goodsId + ".");
        }
        return new StockLevel(goodsId, stock);
    }

    /**
     * reserve deducts every item or none. A repeat of the same order number with the same items answers
     * the stored reservation without deducting again; with other items it is a 409.
     */
    public ReserveResult reserve(ReserveRequest request) {
        List<ReservationItem> items = validate(request);
        String orderSn = request.orderSn();
        int ttl = request.ttlSeconds() == null ? DEFAULT_TTL_SECONDS : request.ttlSeconds();
        // Millisecond precision, as stored, so a repeat answers exactly the same expiresAt.
        Instant expiresAt = clock.instant().plusSeconds(ttl).truncatedTo(ChronoUnit.MILLIS);
        List<Long> goodsIds = items.stream().map(ReservationItem::goodsId).toList();
        ReserveOutcome outcome;
        try (OrderLock.Release ignored = lock(goodsIds, orderSn)) {
            outcome = retrying(() -> repository.reserve(orderSn, items, expiresAt));
        }
        return switch (outcome) {
            case ReserveOutcome.Reserved r -> new ReserveResult(r.reservation(), true);
            case ReserveOutcome.AlreadyExists e -> {
                if (!e.existing().items().equals(items)) {
                    throw new ConflictException("reservation-mismatch", "Order number already used",
                            "Order " + orderSn + " was reserved with other items.",
                            Map.of("orderSn", orderSn, "items", e.existing().items()));
                }
                yield new ReserveResult(e.existing(), false);
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
     * confirm makes a reservation final. Repeating it answers the same. A returned reservation, and a
     * RESERVED one whose time is up (even before the sweeper came), is a 409: the outcome never
     * depends on when the sweeper runs, and the sweeper returns the stock.
     */
    public Reservation confirm(String orderSn) {
        requireOrderSn(orderSn);
        Instant now = clock.instant();
        TransitionOutcome outcome = retrying(() -> repository.confirm(orderSn, now));
        Reservation r = outcome.reservation().orElseThrow(() -> notFound(orderSn));
        return switch (r.status()) {
            case CONFIRMED -> r;
            case RETURNED -> throw new ConflictException("reservation-returned", "Reservation returned",
                    "Order " + orderSn + " was cancelled or expired; its stock was returned.",
                    Map.of("orderSn", orderSn, "reservationStatus", r.status()));
            case RESERVED -> throw new ConflictException("reservation-expired", "Reservation expired",
                    "Order " + orderSn + " expired at " + r.expiresAt() + "; its stock will be returned.",
                    Map.of("orderSn", orderSn, "expiresAt", r.expiresAt()));
        };
    }

    /** cancel returns a reservation's stock exactly once. Repeating it answers the same; a confirmed one is a 409. */
    public Reservation cancel(String orderSn) {
        requireOrderSn(orderSn);
        TransitionOutcome outcome = retrying(() -> repository.cancel(orderSn));
        Reservation r = outcome.reservation().orElseThrow(() -> notFound(orderSn));
        if (r.status() == ReservationStatus.CONFIRMED) {
            throw new ConflictException("reservation-confirmed", "Reservation confirmed",
                    "Order " + orderSn + " is confirmed; its stock is no longer reserved.",
                    Map.of("orderSn", orderSn, "reservationStatus", r.status()));
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
