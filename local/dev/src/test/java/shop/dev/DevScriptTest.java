package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import shop.stack.ProjectRoot;

/**
 * The {@code dev} script's commands that need no build (a build from inside the reactor's own test
 * run would race it); start, invoke and token are exercised through {@link Dev}'s parts above.
 */
class DevScriptTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) throws Exception {
        Path root = ProjectRoot.find();
        List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("dev").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(root.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void help_namesEveryCommand() throws Exception {
        Result r = run("help");
        assertEquals(0, r.code(), r.err());
        for (String command : List.of("start", "invoke", "token", "test", "bench", "migrate", "reconcile", "failed-events",
                "redrive", "verify")) {
            assertTrue(r.out().contains("./dev " + command), command + " missing from:\n" + r.out());
        }
    }

    @Test
    void unknownCommand_andBenchWithoutName_failWithAMessage() throws Exception {
        Result unknown = run("frobnicate");
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
        Result bench = run("bench");
        assertNotEquals(0, bench.code());
        assertTrue(bench.err().contains("shop.bench.NAME"), bench.err());
        assertEquals("", bench.out());
    }
}
