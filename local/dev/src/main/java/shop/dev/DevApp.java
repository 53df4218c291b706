package shop.dev;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.LocalStack;
import shop.stack.Template;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * DevApp is {@code ./dev start} without the command line: on a running {@link LocalStack} it serves
 * the template's API, the JWKS and the admin page, bridges S3 creations to the S3-triggered
 * function and runs the scheduled ones. Tests start it on a free port with their own handlers.
 */
final class DevApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevApp.class);

    /**
     * Options of a run.
     *
     * @param port             port on 127.0.0.1 (0 = any free one)
     * @param root             the project root (template.yaml, admin/)
     * @param keyFile          the signing key of local tokens
     * @param scheduleEvery    replaces every schedule's rate when present
     * @param s3PollInterval   how often the S3 bridge lists
     * @param retryBackoff     waits between the tries of an asynchronous invocation
     * @param parameters       template parameter values on top of the local ones
     * @param env              variables on top of the local ones, for every function declaring them
     * @param perFunction      variables for single functions, by logical id
     * @param handlerOverrides another handler ({@code pkg.Class::method}) for some functions, by logical id
     */
    record Options(int port, Path root, Path keyFile, Optional<Duration> scheduleEvery, Duration s3PollInterval,
                   List<Duration> retryBackoff, Map<String, String> parameters, Map<String, String> env,
                   Map<String, Map<String, String>> perFunction, Map<String, String> handlerOverrides) {

        /** defaults for a project root. */
        static Options defaults(Path root) {
            return new Options(3000, root, root.resolve(".stack/dev-signing-key.json"), Optional.empty(),
                    Duration.ofMillis(300), List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), Map.of(), Map.of(),
                    Map.of(), Map.of());
        }

        Options withPort(int p) {
            return new Options(p, root, keyFile, scheduleEvery, s3PollInterval, retryBackoff, parameters, env,
                    perFunction, handlerOverrides);
        }
    }

    private final DevServer server;
    private final LambdaFunctions functions;
    private final ApiGateway gateway;
    private final AsyncInvoker invoker;
    private final List<AutoCloseable> parts;

    private DevApp(DevServer server, LambdaFunctions functions, ApiGateway gateway, AsyncInvoker invoker,
                   List<AutoCloseable> parts) {
        this.server = server;
        this.functions = functions;
        this.gateway = gateway;
        this.invoker = invoker;
        this.parts = parts;
    }

    /** start serves on the stack; the stack stays the caller's to close. */
    static DevApp start(LocalStack stack, Options options) {
        Template template = Template.load(options.root().resolve("template.yaml"));
        List<AutoCloseable> parts = new ArrayList<>();
        DevServer server = DevServer.bind(options.port(), stack.bind());
        parts.add(server);
        try {
            LambdaFunctions functions = functions(stack, template, options, server.port());
            parts.add(functions);
            String apiId = template.resourcesOfType("AWS::Serverless::Api").keySet().stream().findFirst()
                    .orElseThrow(() -> new IllegalStateException("template.yaml has no AWS::Serverless::Api"));
            Map<String, String> parameters = LocalEnvironment.parameters(stack.endpoints(), server.port(), options.parameters());
            ApiConfig api = ApiConfig.fromTemplate(template, apiId, new Intrinsics(template, parameters));
            ApiGateway gateway = new ApiGateway(api, ApiRoutes.fromTemplate(template, api), functions, Clock.systemUTC());
            server.start(gateway, SigningKey.loadOrCreate(options.keyFile()), options.root().resolve("admin"));

            AsyncInvoker invoker = new AsyncInvoker(functions, options.retryBackoff(), FailedEvents.in(options.root()));
            parts.add(invoker);
            List<S3Bridge.Subscription> subscriptions = S3Bridge.fromTemplate(template, stack.resources().physicalIds());
            if (!subscriptions.isEmpty()) {
                S3Client s3 = AwsClients.s3(AwsConfig.from(Env.of(stack.endpoints().toEnvironment())));
                parts.add(s3);
                parts.add(new S3Bridge(s3, subscriptions, options.s3PollInterval(), invoker, Clock.systemUTC()));
            }
            parts.add(new Scheduler(Scheduler.fromTemplate(template, options.scheduleEvery()), invoker, Clock.systemUTC()));
            server.control(call -> control(invoker, call));

            List<String> missing = functions.ids().stream().filter(id -> !functions.handlerPresent(id))
                    .map(id -> id + " (" + functions.spec(id).handlerClass() + ")").toList();
            if (!missing.isEmpty()) {
                LOG.warn("handlers not written yet, their routes answer 501: {}", String.join(", ", missing));
            }
            LOG.info("{} routes of {} on http://localhost:{}", gateway.routes().all().size(), apiId, server.port());
            return new DevApp(server, functions, gateway, invoker, parts);
        } catch (RuntimeException e) {
            closeAll(parts);
            throw e;
        }
    }

    /** CONTROL_HEADER must be on every /.dev/ request: a browser cannot send it cross-origin without a preflight. */
    static final String CONTROL_HEADER = "X-Dev-Control";

    /**
     * control answers the runner's own endpoints: {@code GET /.dev/failed-events} lists the kept
     * events, {@code POST /.dev/failed-events/redrive} with {@code {"ids": [...]}} (none: all)
     * replays them through their functions and answers what each did.
     */
    static HttpReply control(AsyncInvoker invoker, HttpCall call) {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        if (call.header(CONTROL_HEADER).isEmpty()) {
            return HttpReply.of(403, json, "{\"message\":\"" + CONTROL_HEADER + " header required\"}");
        }
        try {
            if (call.path().equals("/.dev/failed-events") && call.method().equals("GET")) {
                return HttpReply.of(200, json, shop.platform.json.Json.write(invoker.failedEvents().list()));
            }
            if (call.path().equals("/.dev/failed-events/redrive") && call.method().equals("POST")) {
                List<String> ids = new ArrayList<>();
                if (call.body().length > 0) {
                    ProxyEvent.JSON.readTree(call.body()).path("ids").forEach(id -> ids.add(id.asText()));
                }
                return HttpReply.of(200, json, shop.platform.json.Json.write(invoker.redrive(ids)));
            }
        } catch (java.io.IOException e) {
            return HttpReply.of(400, json, "{\"message\":\"body must be {\\\"ids\\\": [...]}\"}");
        }
        return HttpReply.of(404, json, "{\"message\":\"no such runner endpoint\"}");
    }

    /** functions builds the template's functions with their local environment (JWKS on {@code port}). */
    static LambdaFunctions functions(LocalStack stack, Template template, DevApp.Options options, int port) {
        Map<String, String> parameters = LocalEnvironment.parameters(stack.endpoints(), port, options.parameters());
        Map<String, String> overrides = LocalEnvironment.overrides(stack.endpoints(), stack.resources(), port,
                stack.imagesBaseUrl(), options.env());
        Map<String, FunctionSpec> specs = new LinkedHashMap<>(LocalEnvironment.specs(template, parameters,
                stack.resources(), overrides, LocalEnvironment.perFunction(stack.endpoints(), options.perFunction())));
        options.handlerOverrides().forEach((id, handler) -> specs.computeIfPresent(id, (k, spec) -> spec.withHandler(handler)));
        return new LambdaFunctions(specs, Thread.currentThread().getContextClassLoader());
    }

    /**
     * prepareDatabase applies the migrations and, with {@code sampleData}, loads the catalog's sample data
     * through {@code shop.catalog.SampleData.load(DataSource)} when that class exists.
     */
    static void prepareDatabase(LocalStack stack, boolean sampleData) {
        var e = stack.endpoints();
        // As MigrateFunction does: the migration user owns the schema (and the DEFINER of its triggers).
        DataSource ds = Database.pool(new DbConfig(e.jdbcUrl(), Optional.empty(), e.migration().user(),
                e.migration().password(), 2), AwsConfig.from(Env.of(e.toEnvironment())), "dev-migrate");
        try {
            long t0 = System.nanoTime();
            int applied = Migrations.migrate(ds);
            LOG.info("migrations: {} applied in {} ms", applied, (System.nanoTime() - t0) / 1_000_000);
            if (sampleData) {
                loadSampleData(ds);
            }
        } finally {
            Database.close(ds);
        }
    }

    private static void loadSampleData(DataSource ds) {
        Class<?> type;
        try {
            type = Class.forName("shop.catalog.SampleData");
        } catch (ClassNotFoundException e) {
            LOG.warn("--sample-data: shop.catalog.SampleData does not exist yet; no sample data loaded");
            return;
        }
        try {
            Method load = type.getMethod("load", DataSource.class);
            load.invoke(null, ds);
            LOG.info("sample data loaded");
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            throw new IllegalStateException("shop.catalog.SampleData.load(DataSource) failed: " + cause, cause);
        }
    }

    /** port returns the HTTP port. */
    int port() {
        return server.port();
    }

    /** functions returns the functions it runs (tests invoke them directly). */
    LambdaFunctions functions() {
        return functions;
    }

    /** gateway returns the API front. */
    ApiGateway gateway() {
        return gateway;
    }

    /** invoker returns the asynchronous invoker. */
    AsyncInvoker invoker() {
        return invoker;
    }

    @Override
    public void close() {
        closeAll(parts);
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
