package shop.dev;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * JarInvocation runs one function from the deployable jar ({@code functions/target/shop-functions.jar},
 * the bytes {@code sam deploy} uploads) in a fresh JVM through {@link JarInvoker}, with exactly the
 * environment it is given plus what Lambda's Java runtime adds ({@code TZ}, {@code _HANDLER},
 * {@code AWS_EXECUTION_ENV}...). Nothing of this JVM's environment or classpath leaks in: the
 * child sees the jar, the runtime's serializer and the invoker class, as a Lambda sandbox sees
 * {@code /var/task} and the runtime.
 */
final class JarInvocation {
    /** JAR is where the build puts the deployable jar, relative to the project root. */
    static final String JAR = "functions/target/shop-functions.jar";

    /** Result is the response (or Lambda's error document) and whether the invocation succeeded. */
    record Result(boolean ok, String output) {
    }

    /**
     * Run is what a JVM's invocations answered, one response line per event (an error document
     * last when one failed), and, when asked for, the function's own output (its log lines).
     */
    record Run(boolean ok, java.util.List<String> responses, java.util.List<String> logs) {
    }

    private JarInvocation() {
    }

    /** jar returns the deployable jar, or fails saying how to build it. */
    static Path jar(Path root) {
        Path jar = root.resolve(JAR);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it with "
                    + "./mvnw -B -pl functions -am package -DskipTests (./dev invoke does this for you)");
        }
        return jar;
    }

    /**
     * run invokes {@code handler} ({@code pkg.Class::method}) once with the event file, within the
     * function's timeout (plus the JVM's start); the function's log lines go to this stderr.
     */
    static Result run(Path jar, String handler, int timeoutSeconds, Map<String, String> environment, Path event) {
        Run run = run(jar, handler, timeoutSeconds, environment, List.of(event), false);
        return new Result(run.ok(), String.join("\n", run.responses()));
    }

    /**
     * run invokes {@code handler} once per event, in order, in one fresh JVM (the first invocation is
     * the cold one); with {@code captureLogs} the function's output is returned instead of shown.
     */
    static Run run(Path jar, String handler, int timeoutSeconds, Map<String, String> environment, List<Path> events,
                   boolean captureLogs) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.putIfAbsent("TZ", ":UTC");
        env.putIfAbsent("_HANDLER", handler);
        env.putIfAbsent("AWS_EXECUTION_ENV", "AWS_Lambda_java25");
        env.putIfAbsent("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.putIfAbsent("LAMBDA_TASK_ROOT", jar.getParent().toString());
        String classpath = String.join(File.pathSeparator, jar.toString(), serializationJar(), invokerLocation());
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto", "-cp", classpath,
                JarInvoker.class.getName(), handler, Integer.toString(timeoutSeconds)));
        events.forEach(e -> command.add(e.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (!captureLogs) {
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        try {
            Process p = pb.start();
            var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> lines(p.getInputStream()));
            var logs = captureLogs ? java.util.concurrent.CompletableFuture.supplyAsync(() -> lines(p.getErrorStream()))
                    : java.util.concurrent.CompletableFuture.completedFuture(List.<String>of());
            if (!p.waitFor((long) timeoutSeconds * events.size() + 30L, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(false, List.of("{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"Task timed out after "
                        + timeoutSeconds + " seconds\"}"), logs.getNow(List.of()));
            }
            return new Run(p.exitValue() == 0, output.join(), logs.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for " + handler, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + handler + " ran", e);
        }
    }

    private static List<String> lines(java.io.InputStream in) {
        try {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String serializationJar() {
        List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        return entries.stream().filter(e -> e.contains("aws-lambda-java-serialization")).findFirst()
                .orElseThrow(() -> new IllegalStateException("aws-lambda-java-serialization is not on the classpath"));
    }

    private static String invokerLocation() {
        try {
            return Path.of(JarInvoker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
