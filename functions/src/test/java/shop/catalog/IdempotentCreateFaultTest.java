package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import shop.testing.HookedDataSource;
import shop.testing.HookedDataSource.InvocationKilled;
import shop.testing.MutableClock;
import shop.testing.TestStack;

/**
 * A catalog create that committed never runs again for its Idempotency-Key, whatever happened to
 * its invocation: killed right after the commit (a Lambda timeout), killed before it, still running
 * when its lease ran out, or racing a second request with the same key. Faults are injected into
 * the pool from the test side ({@link HookedDataSource}); the clock is moved, not waited for.
 * Categories and banners are the creates with no natural unique key, so a second run would
 * silently duplicate them.
 */
class IdempotentCreateFaultTest extends CatalogApiTestBase {
    private static final Predicate<String> COMPLETING_THE_KEY = sql -> sql.contains("SET state = 'COMPLETED'");
    private static final Duration PAST_THE_LEASE = CatalogApiHandler.IDEMPOTENCY_LEASE.plusSeconds(1);

    private final MutableClock clock = new MutableClock();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** api builds a catalog handler over the test stack's pool with these faults, on the test's clock. */
    private CatalogApi api(HookedDataSource pool) {
        var w = CatalogApiHandler.Wiring.of(pool, clock);
        return CatalogApi.over(new CatalogApiHandler(w.catalog(), w.goods(), w.idempotency()));
    }

    private CatalogApi plainApi() {
        return api(new HookedDataSource(TestStack.get().dataSource()));
    }

    private static CatalogApi.Resp post(CatalogApi api, String path, String key, Object body) {
        return api.call("POST", path).as(CatalogApi.ADMIN).header("Idempotency-Key", key).body(body).send();
    }

    @Test
    void createKilledRightAfterItsCommit_isReplayedAfterTheLease_notRunAgain() {
        for (String[] route : new String[][] {{"/categories", "category"}, {"/banners", "banner"}}) {
            String key = UUID.randomUUID().toString();
            Object body = route[1].equals("banner") ? Map.of("index", 3) : Map.of("name", "Tea");
            HookedDataSource dying = new HookedDataSource(TestStack.get().dataSource())
                    .afterCommit(sql -> {
                        throw new InvocationKilled("after the commit");
                    });
            long before = CatalogDb.count(route[1]);

            assertThrows(InvocationKilled.class, () -> post(api(dying), route[0], key, body));
            assertEquals(before + 1, CatalogDb.count(route[1]), "the killed create committed");

            clock.advance(PAST_THE_LEASE);
            CatalogApi.Resp retry = post(plainApi(), route[0], key, body);
            assertEquals(201, retry.status(), retry.toString());
            assertEquals("true", retry.headers().get("Idempotent-Replayed"), retry.toString());
            assertEquals(route[0] + "/" + retry.id(), retry.headers().get("Location"));
            assertEquals(before + 1, CatalogDb.count(route[1]), route[0] + ": the retry created again");
        }
    }

    @Test
    void createKilledBeforeItsCommit_runsOnceOnTheRetry_afterTheLease() {
        String key = UUID.randomUUID().toString();
        HookedDataSource dying = new HookedDataSource(TestStack.get().dataSource())
                .beforeSql(COMPLETING_THE_KEY, sql -> {
                    throw new InvocationKilled("before the commit");
                });
        assertThrows(InvocationKilled.class, () -> post(api(dying), "/brands", key, Map.of("name", "Acme")));
        assertEquals(0, CatalogDb.count("brand"), "a create that never committed left a brand");

        clock.advance(PAST_THE_LEASE);
        CatalogApi.Resp retry = post(plainApi(), "/brands", key, Map.of("name", "Acme"));
        assertEquals(201, retry.status(), retry.toString());
        assertEquals(null, retry.headers().get("Idempotent-Replayed"));
        assertEquals(1, CatalogDb.count("brand"));
        assertEquals(retry.body(), post(plainApi(), "/brands", key, Map.of("name", "Acme")).body());
    }

    @Test
    void secondRequestWithTheSameKey_whileTheFirstRuns_is409_andNothingIsCreatedTwice() throws Exception {
        String key = UUID.randomUUID().toString();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch letFirstFinish = new CountDownLatch(1);
        HookedDataSource held = heldBeforeCompletingTheKey(firstInside, letFirstFinish);
        Future<CatalogApi.Resp> first = threads.submit(() -> post(api(held), "/categories", key, Map.of("name", "Tea")));
        assertTrue(firstInside.await(30, TimeUnit.SECONDS), "the first request never reached its key's completion");

        CatalogApi.Resp second = post(plainApi(), "/categories", key, Map.of("name", "Tea"));
        assertEquals(409, second.status(), second.toString());
        assertEquals("https://shop.example/problems/idempotency-in-progress", second.problemType());

        letFirstFinish.countDown();
        CatalogApi.Resp firstResp = first.get(30, TimeUnit.SECONDS);
        assertEquals(201, firstResp.status(), firstResp.toString());
        CatalogApi.Resp third = post(plainApi(), "/categories", key, Map.of("name", "Tea"));
        assertEquals(firstResp.id(), third.id());
        assertEquals("true", third.headers().get("Idempotent-Replayed"));
        assertEquals(1, CatalogDb.count("category"));
    }

    @Test
    void createStillRunningWhenItsLeaseRanOut_isTakenOver_andOnlyOneCommits() throws Exception {
        String key = UUID.randomUUID().toString();
        CountDownLatch zombieInside = new CountDownLatch(1);
        CountDownLatch letZombieFinish = new CountDownLatch(1);
        HookedDataSource slow = heldBeforeCompletingTheKey(zombieInside, letZombieFinish);
        Future<CatalogApi.Resp> zombie = threads.submit(() -> post(api(slow), "/banners", key, Map.of("index", 7)));
        assertTrue(zombieInside.await(30, TimeUnit.SECONDS));

        clock.advance(PAST_THE_LEASE);
        CatalogApi.Resp takeover = post(plainApi(), "/banners", key, Map.of("index", 7));
        assertEquals(201, takeover.status(), takeover.toString());

        letZombieFinish.countDown();
        CatalogApi.Resp late = zombie.get(30, TimeUnit.SECONDS);
        assertEquals(409, late.status(), "the zombie's create must roll back: " + late);
        assertEquals(1, CatalogDb.count("banner"), "both runs of the key committed a banner");
        CatalogApi.Resp replay = post(plainApi(), "/banners", key, Map.of("index", 7));
        assertEquals(takeover.id(), replay.id());
    }

    @Test
    void manyConcurrentRequestsWithTheSameKey_createOne_andAnswerItOrAConflict() throws Exception {
        String key = UUID.randomUUID().toString();
        CatalogApi api = plainApi();
        int n = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<CatalogApi.Resp>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(threads.submit(() -> {
                await(start);
                return post(api, "/categories", key, Map.of("name", "Same"));
            }));
        }
        start.countDown();
        Set<Long> ids = new HashSet<>();
        int created = 0;
        for (Future<CatalogApi.Resp> f : answers) {
            CatalogApi.Resp r = f.get(60, TimeUnit.SECONDS);
            if (r.status() == 201) {
                created++;
                ids.add(r.id());
            } else {
                assertEquals(409, r.status(), r.toString());
                assertEquals("https://shop.example/problems/idempotency-in-progress", r.problemType());
            }
        }
        assertTrue(created >= 1, "no request created the category");
        assertEquals(1, ids.size(), "answers named different categories: " + ids);
        assertEquals(1, CatalogDb.count("category"));
        assertEquals(ids.iterator().next(), post(api, "/categories", key, Map.of("name", "Same")).id());
    }

    /** heldBeforeCompletingTheKey stops a create inside its transaction, its row written, until released. */
    private static HookedDataSource heldBeforeCompletingTheKey(CountDownLatch inside, CountDownLatch release) {
        return new HookedDataSource(TestStack.get().dataSource()).beforeSql(COMPLETING_THE_KEY, sql -> {
            inside.countDown();
            await(release);
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
