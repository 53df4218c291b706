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
import shop.catalog.CatalogFunction;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.stack.MotoServer;
import shop.testing.LambdaEnvironment;
import shop.testing.MotoSecrets;
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
    private record Rotating(String user, String secretArn, CatalogApiHandler handler, HikariDataSource pool, Env env) {
    }

    private Rotating newRotatingUser() {
        String user = "shop_rot_" + ProcessHandle.current().pid() % 10_000 + "_" + SEQ.incrementAndGet();
        TEST.createAppUser(user, "first-password");
        String arn;
        try (var secrets = MotoSecrets.client(moto)) {
            arn = secrets.createSecret(r -> r.name("shop/" + user).secretString(secret(user, "first-password"))).arn();
        }
        Map<String, String> env = new HashMap<>();
        env.put("DB_SECRET_ARN", arn);
        env.put("SECRETS_MANAGER_ENDPOINT", moto.endpoint().toString());
        env.put("DB_USER", "");
        env.put("DB_PASSWORD", "");
        Env functionEnv = TEST.env(env);
        // The catalog function as new CatalogApiHandler(env) builds it, over a pool the test can retire.
        HikariDataSource pool = Database.pool(DbConfig.from(functionEnv), AwsConfig.from(functionEnv), "catalog");
        return new Rotating(user, arn, CatalogFunction.over(pool), pool, functionEnv);
    }

    /** rotate does what a rotation does: a new password on the database, then in the secret. */
    private static void rotate(Rotating r, String password) throws SQLException {
        try (Connection c = TEST.admin().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER USER '" + r.user() + "'@'%' IDENTIFIED BY '" + password + "'");
        }
        try (var secrets = MotoSecrets.client(moto)) {
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

    /** retire closes the pool's open connections, as their max lifetime (280 s) would. */
    private static void retire(Rotating r) throws Exception {
        r.pool().getHikariPoolMXBean().softEvictConnections();
        TEST.awaitNoSessionOf(r.user());
    }

    @Test
    void rotatedPassword_costsNoRequest_theSecretIsReadAgainOnTheRefusal() throws Exception {
        Rotating r = newRotatingUser();
        assertEquals(200, listCategories(r), "before the rotation");

        rotate(r, "second-password");
        // The pool's connections outlive a rotation; a new one is what meets the new password.
        retire(r);
        long refusedBefore = accessDenied();

        eightRequestsAnswer200(r, "after the rotation");
        long refused = accessDenied() - refusedBefore;
        assertTrue(refused >= 1, "the stale password was never tried: the test did not exercise a rotation");
        assertTrue(refused <= 2, "one refusal should re-read the secret for the whole pool, saw " + refused);

        // And again: a second rotation is noticed the same way.
        rotate(r, "third-password");
        retire(r);
        assertEquals(200, listCategories(r), "after a second rotation");
    }

    /** concurrently sends 8 requests at once and checks each answers 200. */
    private static void eightRequestsAnswer200(Rotating r, String when) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit((Callable<Integer>) () -> listCategories(r)));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get(), "a request " + when + " failed");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Single-user rotation, the strategy of RDS-managed secrets, step by step as its rotation function
     * runs them: createSecret puts the new password as AWSPENDING, setSecret changes it on the database,
     * and only finishSecret moves AWSCURRENT to it. In between the current secret is wrong; new
     * connections log in with the pending version, and once it worked, at the first try.
     */
    @Test
    void singleUserRotation_betweenSetSecretAndFinishSecret_logsInWithThePendingVersion() throws Exception {
        Rotating r = newRotatingUser();
        assertEquals(200, listCategories(r), "before the rotation");
        String currentVersion;
        String pendingVersion;
        try (var secrets = MotoSecrets.client(moto)) {
            currentVersion = secrets.getSecretValue(g -> g.secretId(r.secretArn())).versionId();
            // createSecret
            pendingVersion = secrets.putSecretValue(p -> p.secretId(r.secretArn())
                    .secretString(secret(r.user(), "pending-password")).versionStages("AWSPENDING")).versionId();
        }
        // setSecret
        try (Connection c = TEST.admin().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER USER '" + r.user() + "'@'%' IDENTIFIED BY 'pending-password'");
        }
        // New connections meet the new password while AWSCURRENT still holds the old one.
        retire(r);
        long refusedBefore = accessDenied();
        eightRequestsAnswer200(r, "between setSecret and finishSecret");
        long refused = accessDenied() - refusedBefore;
        assertTrue(refused >= 1, "the stale password was never tried: the test did not exercise the window");
        assertTrue(refused <= 2, "one refusal should find the pending version for the whole pool, saw " + refused);

        // Still before finishSecret, new connections now log in at the first try.
        retire(r);
        refusedBefore = accessDenied();
        eightRequestsAnswer200(r, "between setSecret and finishSecret, after the pending version worked");
        assertEquals(0, accessDenied() - refusedBefore, "the pending version that worked is not used at the first try");

        // finishSecret
        try (var secrets = MotoSecrets.client(moto)) {
            secrets.updateSecretVersionStage(u -> u.secretId(r.secretArn()).versionStage("AWSCURRENT")
                    .moveToVersionId(pendingVersion).removeFromVersionId(currentVersion));
        }
        retire(r);
        refusedBefore = accessDenied();
        eightRequestsAnswer200(r, "after finishSecret");
        assertEquals(0, accessDenied() - refusedBefore, "a refused login after the rotation finished");

        // And the next rotation, of the usual kind, is noticed as ever.
        rotate(r, "next-password");
        retire(r);
        assertEquals(200, listCategories(r), "after the next rotation");
    }

    @Test
    void snapshot_holdsNoConnectionAndNoCredential_soARestoreAfterARotationLogsInAtOnce() throws Exception {
        Rotating r = newRotatingUser();
        r.pool().close(); // this test's function is the one Lambda builds, with its own pool
        try (LambdaEnvironment lambda = LambdaEnvironment.start()) {
            // Lambda's init of the catalog function, reading the same secret through the same code.
            CatalogApiHandler function = new CatalogApiHandler(r.env());

            // Publishing the version: Lambda runs the priming, then takes the snapshot.
            LambdaEnvironment.Log log = lambda.checkpoint();
            assertEquals(List.of(), log.problems(), "priming");
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("catalog: primed for the snapshot")), log.lines().toString());
            TEST.awaitNoSessionOf(r.user());

            // The secret rotates while the snapshot waits; then an environment is restored from it.
            rotate(r, "rotated-after-the-snapshot");
            lambda.restore();
            long refusedBefore = accessDenied();
            assertEquals(200, function.handleRequest(
                    EventLoader.loadApiGatewayRestEvent("../events/catalog-get-categories.json"), null).getStatusCode(),
                    "first request after the restore");
            assertEquals(0, accessDenied() - refusedBefore,
                    "the restored environment tried a password from the snapshot: a credential survived the checkpoint");
        }
    }
}
