package shop.platform.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import shop.auth.JwtAuthorizerHandler;
import shop.inventory.InventoryReconciliationHandler;
import shop.inventory.ReservationSweeperHandler;
import shop.media.UploadCompleteHandler;
import shop.platform.config.Env;
import shop.testing.LambdaEnvironment;
import shop.testing.TestStack;

/**
 * The functions that register no SnapStart priming (the sweeper, the reconciliation, upload-complete
 * and the authorizer) still run with SnapStart (every function but MigrateFunction), so their
 * snapshots are restored into many environments too. Built in an environment of their own, as Lambda
 * initialises a version: the random source of their retry jitter (the inventory's back-off in the
 * sweeper, the AWS SDK's back-off) is reseeded by the restore, where before it was reseeded only by a
 * priming's hook and these clones replayed one sequence; and their init leaves no database session in
 * the snapshot (their pools connect lazily and their credentials are read on first use).
 */
class SnapStartWithoutPrimingTest {
    private static final TestStack TEST = TestStack.get();

    private static Object build(String function, Env env) {
        return switch (function) {
            case "reservation-sweeper" -> new ReservationSweeperHandler(env);
            case "inventory-reconciliation" -> new InventoryReconciliationHandler(env);
            case "upload-complete" -> new UploadCompleteHandler(env);
            case "authorizer" -> new JwtAuthorizerHandler(env);
            default -> throw new IllegalArgumentException(function);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"reservation-sweeper", "inventory-reconciliation", "upload-complete", "authorizer"})
    void functionWithoutPriming_drawsItsJitterFromASeedOfItsOwn_afterEveryRestore(String function) throws Exception {
        String user = "shop_np_" + function.substring(0, 8).replace("-", "_");
        TEST.createAppUser(user, "no-priming-password");
        Map<String, String> vars = new HashMap<>(Map.of("DB_USER", user, "DB_PASSWORD", "no-priming-password",
                "PUBLIC_IMAGE_BASE_URL", "http://127.0.0.1:1/images"));
        vars.putAll(Map.of("JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json",
                "JWT_ISSUER", "https://issuer.test", "JWT_AUDIENCE", "shop"));
        Env env = TEST.env(vars);

        try (LambdaEnvironment lambda = LambdaEnvironment.start()) {
            Object handler = build(function, env);
            LambdaEnvironment.Log checkpoint = lambda.checkpoint();
            assertEquals(List.of(), checkpoint.problems(), function);
            assertTrue(checkpoint.lines().stream().noneMatch(l -> l.contains("primed for the snapshot")),
                    function + " registers a priming now: this test is about those that do not " + checkpoint.lines());
            TEST.awaitNoSessionOf(user);

            // What every environment restored from this snapshot would draw next, were nothing reseeded.
            for (int restore = 1; restore <= 2; restore++) {
                long snapshotsNext = Continuation.next(SnapshotSafeRandom.current().nextLong());
                lambda.restore();
                assertNotEquals(snapshotsNext, SnapshotSafeRandom.current().nextLong(),
                        function + ", restore " + restore + ": the retry jitter replays the snapshot's sequence");
            }

            // And the function works after the restore.
            switch (handler) {
                case ReservationSweeperHandler sweeper -> {
                    assertNotNull(sweeper.handleRequest(
                            EventLoader.loadScheduledEvent("../events/reservation-sweeper-scheduled.json"), null));
                    sweeper.close();
                }
                case InventoryReconciliationHandler reconciliation -> {
                    assertNotNull(reconciliation.handleRequest(
                            EventLoader.loadScheduledEvent("../events/inventory-reconciliation-scheduled.json"), null));
                    reconciliation.close();
                }
                default -> assertNotNull(handler);
            }
        }
    }
}
