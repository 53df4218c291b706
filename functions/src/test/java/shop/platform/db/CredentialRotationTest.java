package shop.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.catalog.CatalogApiHandler;
import shop.platform.snapstart.SnapStartPriming;
import shop.testing.MotoServer;
import shop.testing.TestStack;

/**
 * Credentials that survive rotation, on the real local database and a real Secrets Manager API
 * (moto_server), through the code path that reads Secrets Manager in AWS: the catalog function built
 * from DB_SECRET_ARN. Each test gets a database user of its own, with the application user's grants,
 * whose password it changes with ALTER USER as a rotation does.
 */
class CredentialRotationTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static MotoServer moto;
    private static final TestStack TEST = TestStack.get();

    @BeforeAll
    static void startSecretsManager() {
        moto = MotoServer.start();
    }

    @AfterAll
    static void stopSecretsManager() {
        if (moto != null) {
            moto.close();
        }
    }

    /** A user, its secret in Secrets Manager, and the catalog function reading that secret. */
    private record Rotating(String user, String secretArn, CatalogApiHandler handler, HikariDataSource pool) {
    }

    private Rotating newRotatingUser() {
        String user = "shop_rot_" + ProcessHandle.current().pid() % 10_000 + "_" + SEQ.incrementAndGet();
        TEST.createAppUser(user, "first-password");
        String arn;
        try (var secrets = moto.secrets()) {
            arn = secrets.createSecret(r -> r.name("shop/" + user).secretString(secret(user, "first-password"))).arn();
        }
        Map<String, String> env = new HashMap<>();
        env.put("DB_SECRET_ARN", arn);
        env.put("SECRETS_MANAGER_ENDPOINT", moto.endpoint().toString());
        env.put("DB_USER", "");
        env.put("DB_PASSWORD", "");
        CatalogApiHandler handler = new CatalogApiHandler(TEST.env(env));
        // The catalog function's pool, as its SnapStart priming knows it.
        List<SnapStartPriming> registered = SnapStartPriming.registeredForTest();
        HikariDataSource pool = (HikariDataSource) registered.get(registered.size() - 1).poolsForTest().getFirst();
        return new Rotating(user, arn, handler, pool);
    }

    /** rotate does what a rotation does: a new password on the database, then in the secret. */
    private static void rotate(Rotating r, String password) throws SQLException {
        try (Connection c = TEST.admin().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER USER '" + r.user() + "'@'%' IDENTIFIED BY '" + password + "'");
        }
        try (var secrets = moto.secrets()) {
            secrets.putSecretValue(p -> p.secretId(r.secretArn()).secretString(secret(r.user(), password)));
        }
    }

    private static String secret(String user, String password) {
        return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\",\"engine\":\"mysql\"}";
    }

    private static int listCategories(Rotating r) {
        return r.handler().handleRequest(EventLoader.loadApiGatewayRestEvent("../events/catalog-get-categories.json"),
                null).getStatusCode();
    }

    /** accessDenied is the server's count of refused logins (all users): what a rotation costs. */
    private static long accessDenied() throws SQLException {
        try (Connection c = TEST.admin().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Access_denied_errors'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    private static List<Long> sessionsOf(String user) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = TEST.admin().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** retire closes the pool's open connections, as their max lifetime (280 s) would. */
    private static void retire(Rotating r) throws Exception {
        r.pool().getHikariPoolMXBean().softEvictConnections();
        awaitNoSessionOf(r.user());
    }

    private static void awaitNoSessionOf(String user) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!sessionsOf(user).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), sessionsOf(user), "sessions of " + user + " still open");
    }

    @Test
    void rotatedPassword_costsNoRequest_theSecretIsReadAgainOnTheRefusal() throws Exception {
        Rotating r = newRotatingUser();
        assertEquals(200, listCategories(r), "before the rotation");

        rotate(r, "second-password");
        // The pool's connections outlive a rotation; a new one is what meets the new password.
        retire(r);
        long refusedBefore = accessDenied();

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit((Callable<Integer>) () -> listCategories(r)));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get(), "a request after the rotation failed");
            }
        } finally {
            pool.shutdownNow();
        }
        long refused = accessDenied() - refusedBefore;
        assertTrue(refused >= 1, "the stale password was never tried: the test did not exercise a rotation");
        assertTrue(refused <= 2, "one refusal should re-read the secret for the whole pool, saw " + refused);

        // And again: a second rotation is noticed the same way.
        rotate(r, "third-password");
        retire(r);
        assertEquals(200, listCategories(r), "after a second rotation");
    }

    @Test
    void snapshot_holdsNoConnectionAndNoCredential_soARestoreAfterARotationLogsInAtOnce() throws Exception {
        int before = SnapStartPriming.registeredForTest().size();
        Rotating r = newRotatingUser();
        List<SnapStartPriming> registered = SnapStartPriming.registeredForTest();
        SnapStartPriming priming = registered.get(registered.size() - 1);
        assertEquals(before + 1, registered.size());
        assertEquals("catalog", priming.name());

        // Publishing the version: Lambda runs the priming, then takes the snapshot.
        assertTrue(priming.runBeforeCheckpointForTest().isEmpty(), "priming failed");
        for (var ds : priming.poolsForTest()) {
            assertEquals(0, ((HikariDataSource) ds).getHikariPoolMXBean().getTotalConnections(),
                    "a pooled connection is in the snapshot");
        }
        awaitNoSessionOf(r.user());

        // The secret rotates while the snapshot waits; then an environment is restored from it.
        rotate(r, "rotated-after-the-snapshot");
        priming.runAfterRestoreForTest();
        long refusedBefore = accessDenied();
        assertEquals(200, listCategories(r), "first request after the restore");
        assertEquals(0, accessDenied() - refusedBefore,
                "the restored environment tried a password from the snapshot: a credential survived the checkpoint");
    }
}
