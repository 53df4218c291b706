package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.ops.SmokeScenario;
import shop.stack.LocalStack;
import shop.stack.ProjectRoot;

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
        Files.copy(ProjectRoot.find().resolve("template.yaml"), root.resolve("template.yaml"));
        Files.createDirectories(root.resolve("admin"));
        LocalStack stack = LocalStack.shared();
        DevApp.prepareDatabase(stack, true);
        DevApp.Options defaults = DevApp.Options.defaults(root);
        app = DevApp.start(stack, new DevApp.Options(0, root, defaults.keyFile(), Optional.empty(), Duration.ofMillis(200),
                List.of(Duration.ofMillis(100), Duration.ofMillis(200)), Map.of(), Map.of("LOCK_MODE", "rowlock"), Map.of(),
                Map.of()));
        token = SigningKey.loadOrCreate(defaults.keyFile()).mint("admin", "smoke-test", Duration.ofMinutes(10), Instant.now());
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
