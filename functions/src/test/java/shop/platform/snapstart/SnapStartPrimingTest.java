package shop.platform.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import shop.catalog.CatalogApiHandler;
import shop.health.HealthHandler;
import shop.inventory.InventoryApiHandler;
import shop.media.UploadsApiHandler;
import shop.platform.config.Env;
import shop.testing.LambdaEnvironment;
import shop.testing.TestStack;

/**
 * Before a SnapStart snapshot each API function runs its priming reads without error and leaves no
 * database session behind (a restored snapshot must not reuse one): each function is built in an
 * environment of its own, as Lambda initialises a version, with a database user of its own so the
 * server's session list is the function's.
 */
class SnapStartPrimingTest {
    private static final TestStack TEST = TestStack.get();
    private static final Map<String, Function<Env, Object>> FUNCTIONS = Map.of(
            "catalog", CatalogApiHandler::new,
            "uploads-api", UploadsApiHandler::new,
            "health", HealthHandler::new,
            "inventory-api", InventoryApiHandler::new);

    @ParameterizedTest
    @ValueSource(strings = {"catalog", "uploads-api", "health", "inventory-api"})
    void apiFunction_primesWithoutError_andLeavesNoDatabaseSession(String function) throws Exception {
        String user = "shop_prime_" + function.replace("-", "_").substring(0, Math.min(8, function.length()));
        TEST.createAppUser(user, "priming-password");
        Env env = TEST.env(Map.of("PUBLIC_IMAGE_BASE_URL", "http://127.0.0.1:1/images", "DB_USER", user,
                "DB_PASSWORD", "priming-password"));
        try (LambdaEnvironment lambda = LambdaEnvironment.start()) {
            Object handler = FUNCTIONS.get(function).apply(env);
            LambdaEnvironment.Log log = lambda.checkpoint();
            assertEquals(List.of(), log.problems(), function + "'s priming");
            assertTrue(log.lines().stream().anyMatch(l -> l.contains(function + ": primed for the snapshot")),
                    function + " registered no priming: " + log.lines());
            TEST.awaitNoSessionOf(user);
            if (handler instanceof AutoCloseable c) {
                c.close();
            }
        }
    }
}
