package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.DependencyUnavailableException;

/**
 * The service's own waits take their bound from the request's deadline: the order lock's wait leaves
 * the transaction its time, and retries stop when the time is up (with a 503 that says so), where
 * without a deadline they run their attempts and budget as before. Pure logic: the repository is a
 * stand-in that loses every attempt.
 */
class InventoryDeadlineTest {
    private static final ReserveRequest ORDER = new ReserveRequest("deadline-1", List.of(new ReserveRequest.Item(7L, 1)), null);

    /** losing is a repository whose every reserve takes {@code each} and then loses a conflict. */
    private static InventoryRepository losing(Duration each, AtomicInteger attempts) {
        return (InventoryRepository) Proxy.newProxyInstance(InventoryRepository.class.getClassLoader(),
                new Class<?>[] {InventoryRepository.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("reserve")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    attempts.incrementAndGet();
                    Thread.sleep(each.toMillis());
                    throw new TransientConflictException("lock wait timeout", null);
                });
    }

    /** recording is a lock that grants at once and records the wait it was allowed. */
    private static OrderLock recording(AtomicReference<Duration> allowed) {
        return new OrderLock() {
            @Override
            public Outcome acquire(List<Long> goodsIds) {
                allowed.set(null);
                return new Held(() -> { });
            }

            @Override
            public Outcome acquire(List<Long> goodsIds, Duration maxWait) {
                allowed.set(maxWait);
                return new Held(() -> { });
            }
        };
    }

    @Test
    void theLockWait_leavesTheTransactionItsTime() {
        AtomicReference<Duration> allowed = new AtomicReference<>();
        var service = new InventoryService(losing(Duration.ZERO, new AtomicInteger()), recording(allowed),
                InventoryConfig.QuorumLoss.PROCEED);
        assertThrows(RuntimeException.class, () -> Deadline.in(Duration.ofSeconds(3)).run(() -> service.reserve(ORDER, "order-service")));
        assertTrue(allowed.get().compareTo(Duration.ofSeconds(1)) <= 0, "3 s left, 2 s kept: " + allowed.get());
        assertThrows(RuntimeException.class, () -> Deadline.in(Duration.ofMillis(1_500)).run(() -> service.reserve(ORDER, "order-service")));
        assertEquals(Duration.ZERO, allowed.get(), "less than the transaction's time left: one attempt, no wait");
        assertThrows(RuntimeException.class, () -> service.reserve(ORDER, "order-service"));
        assertTrue(allowed.get().compareTo(Duration.ofDays(1)) > 0, "no deadline: the lock's own wait applies");
    }

    @Test
    void retries_stopAtTheDeadline_withA503ThatSaysSo() {
        AtomicInteger attempts = new AtomicInteger();
        var service = new InventoryService(losing(Duration.ofMillis(300), attempts), new NoOpOrderLock(),
                InventoryConfig.QuorumLoss.PROCEED);
        long start = System.nanoTime();
        DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                () -> Deadline.in(Duration.ofMillis(1_000)).run(() -> service.reserve(ORDER, "order-service")));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, e.status());
        assertTrue(millis < 1_000 + 300 + 250, "stopped at the deadline (plus the attempt under way): " + millis + " ms");
        assertTrue(attempts.get() >= 2 && attempts.get() < InventoryService.MAX_ATTEMPTS, attempts + " attempts");

        // Without a deadline: every attempt, then the dependency is reported down.
        attempts.set(0);
        assertThrows(DependencyUnavailableException.class, () -> service.reserve(ORDER, "order-service"));
        assertEquals(InventoryService.MAX_ATTEMPTS, attempts.get());
    }
}
