package shop.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.FunctionEnvironment;
import shop.stack.LocalStack;
import shop.stack.ProjectRoot;
import shop.stack.Template;

/**
 * Dev is the Java side of {@code ./dev}: {@code start}, {@code invoke}, {@code token} and
 * {@code migrate} (the script itself handles {@code test} and {@code bench}). Standard output
 * carries only what a caller parses (the {@code ready} line, the invoke response, the token); every
 * log line, the local servers' included, goes to standard error.
 */
public final class Dev {
    private static final String USAGE = """
            usage: ./dev start [--port 3000] [--sample-data] [--schedule-every 5s] [--env NAME=VALUE]...
                               [--parameter NAME=VALUE]... [--env-vars FILE.json]
                               [--fixed-ports] [--bind 127.0.0.1|0.0.0.0]
                   ./dev invoke FUNCTION --event events/FILE.json [--env NAME=VALUE]... [--parameter NAME=VALUE]...
                                [--env-vars events/env.local.json] [--classes]
                   ./dev token --role admin|service [--ttl 3600] [--sub NAME]
                   ./dev migrate            (DB_URL, DB_USER/DB_PASSWORD or DB_SECRET_ARN from the environment)
                   ./dev failed-events      (the asynchronous events kept after their retries failed)
                   ./dev redrive [--port 3000] [ID]...   (replay them, all or these, through the running ./dev start)
                   ./dev redrive --stack NAME [--region R] | ./dev verify --stack NAME   (a deployed stack)
                   ./dev reconcile [--port 3000]   (the database of ./dev start on that port, or DB_URL... as migrate)
                   ./dev test | ./dev bench NAME [args]
            """;

    private Dev() {
    }

    /** main runs one command; exits non-zero with a one-line reason on stderr when it cannot. */
    public static void main(String[] args) {
        // Keep stdout for results: anything a library prints goes to stderr with the logs.
        PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        Deque<String> rest = new ArrayDeque<>(java.util.List.of(args));
        String command = rest.isEmpty() ? "help" : rest.removeFirst();
        try {
            int code = switch (command) {
                case "start" -> start(rest, stdout);
                case "invoke" -> invoke(rest, stdout);
                case "token" -> token(rest, stdout);
                case "migrate" -> migrate(stdout);
                case "failed-events" -> failedEvents(rest, stdout);
                case "redrive" -> redrive(rest, stdout);
                case "reconcile" -> reconcile(rest, stdout);
                case "help", "-h", "--help" -> {
                    stdout.print(USAGE);
                    yield 0;
                }
                default -> throw new UsageException("unknown command '" + command + "'");
            };
            stdout.flush();
            System.exit(code);
        } catch (UsageException e) {
            System.err.println("dev: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (RuntimeException e) {
            System.err.println("dev " + command + " failed: " + e.getMessage());
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static int start(Deque<String> args, PrintStream stdout) throws UsageException {
        Path root = ProjectRoot.find();
        DevApp.Options options = DevApp.Options.defaults(root);
        int port = Integer.parseInt(Optional.ofNullable(System.getenv("DEV_PORT")).orElse("3000"));
        boolean sampleData = false;
        Optional<Duration> every = Optional.ofNullable(System.getenv("SHOP_SCHEDULE_EVERY")).filter(s -> !s.isBlank())
                .map(Scheduler::parseEvery);
        Overrides overrides = new Overrides();
        Map<String, String> stackEnv = new LinkedHashMap<>(System.getenv());
        while (!args.isEmpty()) {
            String arg = args.removeFirst();
            switch (arg) {
                case "--port" -> port = Integer.parseInt(value(args, arg));
                case "--sample-data" -> sampleData = true;
                // The ports events/env.local.json names, for sam local invoke (docs/local-runner.md).
                case "--fixed-ports" -> stackEnv.put("SHOP_STACK_PORTS", "fixed");
                case "--bind" -> stackEnv.put("SHOP_STACK_BIND", value(args, arg));
                case "--schedule-every" -> every = Optional.of(Scheduler.parseEvery(value(args, arg)));
                default -> overrides.parse(arg, args);
            }
        }
        options = new DevApp.Options(port, root, options.keyFile(), every, options.s3PollInterval(),
                options.retryBackoff(), overrides.parameters, overrides.env, overrides.perFunction, Map.of());

        // Fail before the stack's seconds of start-up when the port is taken.
        try (var probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " (in use? pick another with --port)", e);
        }
        LocalStack stack = LocalStack.start(stackEnv);
        Runner runner = new Runner(stack);
        Runtime.getRuntime().addShutdownHook(new Thread(runner::close, "dev-stop"));
        // Migrate while the gateway starts; ready is printed only when both are done.
        boolean loadSamples = sampleData;
        var migrated = java.util.concurrent.CompletableFuture.runAsync(() -> DevApp.prepareDatabase(stack, loadSamples),
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        runner.app = DevApp.start(stack, options);
        try {
            migrated.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        runner.database = LocalDatabaseFile.write(root, runner.app.port(), stack.endpoints());
        stdout.println("ready http://localhost:" + runner.app.port());
        stdout.flush();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Runner stops what {@code start} started, once, from the shutdown hook. */
    private static final class Runner {
        private final LocalStack stack;
        private volatile DevApp app;
        private volatile Path database;
        private boolean closed;

        Runner(LocalStack stack) {
            this.stack = stack;
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            System.err.println("dev: stopping");
            LocalDatabaseFile.delete(database);
            if (app != null) {
                app.close();
            }
            stack.close();
            System.err.println("dev: stopped");
        }
    }

    /**
     * invoke runs one function once, like {@code sam local invoke}. By default it runs the deployable
     * jar in a fresh JVM ({@link JarInvocation}):
     * <ul>
     *   <li>with {@code --env-vars FILE}, the environment is what SAM gives the function
     *       ({@link FunctionEnvironment#samLocal}: declared variables only, the file's values on top)
     *       and nothing is started: the file names the servers ({@code ./dev start --fixed-ports}
     *       for events/env.local.json); {@code host.docker.internal}, the host as a SAM container
     *       sees it, is 127.0.0.1 here;</li>
     *   <li>without it, a local stack is started for the invocation and the function gets the
     *       runner's environment (the stack's endpoints).</li>
     * </ul>
     * {@code --classes} runs the handler in this JVM from target/classes instead (faster to iterate).
     */
    static int invoke(Deque<String> args, PrintStream stdout) {
        if (args.isEmpty() || args.peekFirst().startsWith("--")) {
            throw new UsageException("invoke needs the function's logical id");
        }
        String functionId = args.removeFirst();
        Path event = null;
        boolean classes = false;
        Path envVarsFile = null;
        Overrides overrides = new Overrides();
        while (!args.isEmpty()) {
            String arg = args.removeFirst();
            if (arg.equals("--event") || arg.equals("-e")) {
                event = Path.of(value(args, arg));
            } else if (arg.equals("--classes")) {
                classes = true;
            } else if (arg.equals("--env-vars") || arg.equals("-n")) {
                envVarsFile = Path.of(value(args, arg));
                overrides.envVarsFile(envVarsFile);
            } else {
                overrides.parse(arg, args);
            }
        }
        if (event == null) {
            throw new UsageException("invoke needs --event FILE.json");
        }
        String eventJson;
        try {
            eventJson = Files.readString(event, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the event file " + event.toAbsolutePath(), e);
        }
        Path root = ProjectRoot.find();
        Template template = Template.load(root.resolve("template.yaml"));
        if (!classes && envVarsFile != null) {
            return invokeAsSam(root, template, functionId, event, overrides, stdout);
        }
        DevApp.Options options = DevApp.Options.defaults(root);
        options = new DevApp.Options(0, root, options.keyFile(), Optional.empty(), options.s3PollInterval(),
                options.retryBackoff(), overrides.parameters, overrides.env, overrides.perFunction, Map.of());
        try (LocalStack stack = LocalStack.start(System.getenv())) {
            DevApp.prepareDatabase(stack, false);
            // The authorizer checks tokens against the runner's JWKS, so serve it during the invocation.
            try (DevServer jwks = DevServer.bind(0);
                 LambdaFunctions functions = DevApp.functions(stack, template, options, jwks.port())) {
                jwks.start(null, SigningKey.loadOrCreate(options.keyFile()), root.resolve("admin"));
                FunctionSpec spec = functions.spec(functionId);
                if (!classes) {
                    if (spec.configError() != null) {
                        throw new IllegalArgumentException(spec.configError());
                    }
                    JarInvocation.Result r = JarInvocation.run(JarInvocation.jar(root),
                            spec.handlerClass() + "::" + spec.handlerMethod(), spec.timeoutSeconds(), spec.environment(),
                            event);
                    stdout.println(r.output());
                    return r.ok() ? 0 : 1;
                }
                try {
                    String output = functions.invoke(functionId, eventJson, LambdaFunctions.newRequestId());
                    stdout.println(output);
                    return 0;
                } catch (LambdaFunctions.FunctionErrorException e) {
                    stdout.println(errorJson(e));
                    return 1;
                }
            }
        }
    }

    /**
     * invokeAsSam runs the jar with the environment {@code sam local invoke --env-vars FILE} gives the
     * function, against servers already running (nothing is started).
     */
    private static int invokeAsSam(Path root, Template template, String functionId, Path event, Overrides overrides,
                                   PrintStream stdout) {
        if (!template.resourcesOfType("AWS::Serverless::Function").containsKey(functionId)) {
            throw new IllegalArgumentException("template.yaml has no function " + functionId);
        }
        Map<String, Map<String, String>> envVars = new LinkedHashMap<>(overrides.perFunction);
        Map<String, String> global = new LinkedHashMap<>(overrides.fileParameters);
        global.putAll(overrides.env);
        envVars.put("Parameters", global);
        Map<String, String> env = new LinkedHashMap<>();
        FunctionEnvironment.samLocal(template, functionId, overrides.parameters, System.getenv(), envVars)
                .forEach((k, v) -> env.put(k, v.replace("host.docker.internal", "127.0.0.1")));
        Map<String, Object> props = template.properties(functionId);
        String handler = String.valueOf(props.getOrDefault("Handler", template.globals("Function").get("Handler")));
        int timeout = Integer.parseInt(env.get("AWS_LAMBDA_FUNCTION_TIMEOUT"));
        JarInvocation.Result r = JarInvocation.run(JarInvocation.jar(root), handler, timeout, env, event);
        stdout.println(r.output());
        return r.ok() ? 0 : 1;
    }

    /** errorJson is the error document Lambda returns for a failed invocation. */
    private static String errorJson(LambdaFunctions.FunctionErrorException e) {
        ObjectNode error = ProxyEvent.JSON.createObjectNode();
        error.put("errorMessage", e.getMessage());
        error.put("errorType", e.errorType());
        var trace = error.putArray("stackTrace");
        if (e.getCause() != null) {
            for (StackTraceElement el : e.getCause().getStackTrace()) {
                trace.add(el.toString());
            }
        }
        return error.toString();
    }

    private static int token(Deque<String> args, PrintStream stdout) {
        String role = null;
        long ttl = 3600;
        String subject = null;
        while (!args.isEmpty()) {
            String arg = args.removeFirst();
            switch (arg) {
                case "--role" -> role = value(args, arg);
                case "--ttl" -> ttl = Long.parseLong(value(args, arg));
                case "--sub" -> subject = value(args, arg);
                default -> throw new UsageException("token does not take " + arg);
            }
        }
        if (role == null || !role.matches("[a-z][a-z0-9_-]*")) {
            throw new UsageException("token needs --role admin|service");
        }
        SigningKey key = SigningKey.loadOrCreate(DevApp.Options.defaults(ProjectRoot.find()).keyFile());
        stdout.println(key.mint(role, subject == null ? "dev-" + role : subject, Duration.ofSeconds(ttl), Instant.now()));
        return 0;
    }

    private static int migrate(PrintStream stdout) {
        Env env = Env.system();
        DataSource ds = Database.pool(DbConfig.from(env), AwsConfig.from(env), "migrate");
        try {
            int applied = Migrations.migrate(ds);
            stdout.println("migrations applied: " + applied);
            return 0;
        } finally {
            Database.close(ds);
        }
    }

    /** failedEvents lists the kept events from the store on disk; no runner is needed. */
    private static int failedEvents(Deque<String> args, PrintStream stdout) {
        if (!args.isEmpty()) {
            throw new UsageException("failed-events takes no arguments");
        }
        FailedEvents store = FailedEvents.in(ProjectRoot.find());
        List<FailedEvents.Entry> entries = store.list();
        for (FailedEvents.Entry e : entries) {
            stdout.printf("%s  %s  failed %s after %d attempts: %s: %s%n", e.id(), e.functionId(), e.failedAt(), e.attempts(),
                    e.errorType(), e.errorMessage());
        }
        System.err.println("dev: " + entries.size() + " failed event(s) in " + store.dir()
                + (entries.isEmpty() ? "" : "; ./dev redrive [ID]... replays them through the running ./dev start"));
        return 0;
    }

    /**
     * redrive asks the running {@code ./dev start} to replay kept events (all, or the ids given)
     * through their functions: the function must run against that runner's servers, where the
     * event's ticket and rows live. Exits 1 when any failed again or was not found.
     */
    private static int redrive(Deque<String> args, PrintStream stdout) {
        int port = Integer.parseInt(Optional.ofNullable(System.getenv("DEV_PORT")).orElse("3000"));
        List<String> ids = new java.util.ArrayList<>();
        while (!args.isEmpty()) {
            String arg = args.removeFirst();
            switch (arg) {
                case "--port" -> port = Integer.parseInt(value(args, arg));
                case "--stack", "--region" -> throw new UsageException(arg + " belongs to the deployed-stack redrive, which"
                        + " ./dev runs from local/ops");
                default -> {
                    if (arg.startsWith("--")) {
                        throw new UsageException("redrive does not take " + arg);
                    }
                    ids.add(arg);
                }
            }
        }
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/.dev/failed-events/redrive"))
                .header(DevApp.CONTROL_HEADER, "1").header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(15))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(shop.platform.json.Json.write(Map.of("ids", ids))))
                .build();
        java.net.http.HttpResponse<String> response;
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("no ./dev start answers on 127.0.0.1:" + port + " (" + e + "). A redrive runs the"
                    + " function against the running local stack: start it (./dev start), or pass --port", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the runner on port " + port + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        int bad = 0;
        try {
            for (JsonNode r : ProxyEvent.JSON.readTree(response.body())) {
                stdout.printf("%s  %s  %s%s%n", r.path("id").asText(), r.path("functionId").asText(), r.path("outcome").asText(),
                        r.path("error").asText().isEmpty() ? "" : ": " + r.path("error").asText());
                bad += r.path("outcome").asText().equals("redriven") ? 0 : 1;
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable answer from the runner: " + response.body(), e);
        }
        return bad == 0 ? 0 : 1;
    }

    /**
     * reconcile runs the inventory reconciliation check (the scheduled InventoryReconciliationFunction's)
     * against the database of a running {@code ./dev start} (its port: {@code --port}, DEV_PORT, 3000), or
     * against DB_URL when that is set, prints every goods whose counters disagree with its ledger and a
     * summary line, and exits 1 when any does.
     */
    private static int reconcile(Deque<String> args, PrintStream stdout) {
        int port = Integer.parseInt(Optional.ofNullable(System.getenv("DEV_PORT")).orElse("3000"));
        while (!args.isEmpty()) {
            String arg = args.removeFirst();
            if (arg.equals("--port")) {
                port = Integer.parseInt(value(args, arg));
            } else {
                throw new UsageException("reconcile does not take " + arg);
            }
        }
        Env env = Env.system();
        int devPort = port;
        DbConfig db = env.optional("DB_URL").isPresent() ? DbConfig.from(env)
                : LocalDatabaseFile.read(ProjectRoot.find(), devPort).orElseThrow(() -> new IllegalStateException(
                        "no DB_URL, and no ./dev start running on port " + devPort
                                + " (start it, pass --port, or set DB_URL and DB_USER/DB_PASSWORD or DB_SECRET_ARN)"));
        DataSource ds = Database.pool(db, AwsConfig.from(env), "reconcile");
        try {
            var result = new shop.inventory.JdbcInventoryRepository(ds).reconcile();
            for (var m : result.mismatches()) {
                stdout.printf("mismatch goods %d: onHand %s reserved %s, records say onHand %d reserved %d%n", m.goodsId(),
                        m.onHand(), m.reserved(), m.recordedOnHand(), m.recordedReserved());
            }
            stdout.printf("reconciled %d goods: %d mismatched%n", result.checked(), result.mismatches().size());
            return result.mismatches().isEmpty() ? 0 : 1;
        } finally {
            Database.close(ds);
        }
    }

    private static String value(Deque<String> args, String option) {
        if (args.isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return args.removeFirst();
    }

    /** Overrides collects {@code --env}, {@code --parameter} and {@code --env-vars}. */
    private static final class Overrides {
        final Map<String, String> env = new LinkedHashMap<>();
        final Map<String, String> parameters = new LinkedHashMap<>();
        final Map<String, Map<String, String>> perFunction = new LinkedHashMap<>();
        /** The env-vars file's Parameters section alone (for SAM's order: file, then --env). */
        final Map<String, String> fileParameters = new LinkedHashMap<>();

        void parse(String arg, Deque<String> args) {
            switch (arg) {
                case "--env" -> put(env, value(args, arg), arg);
                case "--parameter" -> put(parameters, value(args, arg), arg);
                case "--env-vars" -> envVarsFile(Path.of(value(args, arg)));
                default -> throw new UsageException("unknown option " + arg);
            }
        }

        private static void put(Map<String, String> into, String pair, String option) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(option + " takes NAME=VALUE, not '" + pair + "'");
            }
            into.put(pair.substring(0, eq), pair.substring(eq + 1));
        }

        /** envVarsFile reads sam local's format: {"Parameters": {...all functions}, "FunctionId": {...}}. */
        private void envVarsFile(Path file) {
            try {
                JsonNode root = ProxyEvent.JSON.readTree(file.toFile());
                root.fields().forEachRemaining(section -> {
                    Map<String, String> target = section.getKey().equals("Parameters") ? env
                            : perFunction.computeIfAbsent(section.getKey(), k -> new LinkedHashMap<>());
                    section.getValue().fields().forEachRemaining(v -> {
                        target.put(v.getKey(), v.getValue().asText());
                        if (section.getKey().equals("Parameters")) {
                            fileParameters.put(v.getKey(), v.getValue().asText());
                        }
                    });
                });
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --env-vars " + file.toAbsolutePath() + ": " + e.getMessage(), e);
            }
        }
    }
}
