package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.ops.SmokeScenario;

/**
 * The smoke scenario of {@code ./dev verify} against the runner with the real functions over the
 * real stack, which serves the template's API as the stage would: each step passes, the upload
 * round trip included; and against nothing, each step fails.
 */
class SmokeScenarioTest {
    @TempDir
    static Path root;
    static DevApp app;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        app = Fixtures.realApp(root, true);
        token = Fixtures.adminToken(root, "smoke-test");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void everyStep_passesAgainstAStageThatServesTheTemplate_theUploadRoundTripIncluded() {
        List<SmokeScenario.Step> steps = new SmokeScenario(URI.create("http://127.0.0.1:" + app.port() + "/"), Optional.of(token),
                Duration.ofSeconds(30)).run();

        assertEquals(7, steps.size(), steps.toString());
        assertTrue(steps.stream().allMatch(SmokeScenario.Step::passed), String.join("\n", steps.stream().map(String::valueOf).toList()));
    }

    @Test
    void withoutAToken_theUploadRoundTripIsLeftOut_andAgainstNothing_everyStepFails() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        List<SmokeScenario.Step> steps = new SmokeScenario(URI.create("http://127.0.0.1:" + closed), Optional.empty(),
                Duration.ofSeconds(5)).run();

        assertEquals(3, steps.size(), steps.toString());
        assertTrue(steps.stream().noneMatch(SmokeScenario.Step::passed), steps.toString());
    }
}
