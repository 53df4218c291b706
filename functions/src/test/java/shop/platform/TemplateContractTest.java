package shop.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.json.Json;
import shop.platform.metrics.EmbeddedMetrics;
import shop.platform.metrics.Metrics;
import shop.stack.FunctionEnvironment;
import shop.stack.LocalStack;
import shop.stack.ProjectRoot;
import shop.stack.Provisioner;
import shop.stack.Template;
import shop.stack.TemplateSchemaCheck;
import shop.testing.TestStack;

/**
 * The template, the handlers and the sample events agree: every function's handler exists and takes
 * the event its trigger sends, reads only variables the template sets for it, and every sample
 * event deserialises the way the Lambda runtime does it.
 */
class TemplateContractTest {
    private static final Template TEMPLATE = Template.loadDefault();
    private static final String FUNCTION = "AWS::Serverless::Function";

    /** Which event type each trigger sends to a function. */
    private static Class<?> expectedInput(String functionId) {
        Map<String, Object> resources = new HashMap<>(TEMPLATE.resources());
        Map<String, Object> api = TEMPLATE.properties("ShopApi");
        Map<String, Object> authorizers = Template.map(Template.map(api.get("Auth")).get("Authorizers"));
        for (Object a : authorizers.values()) {
            Object arn = Template.map(a).get("FunctionArn");
            if (arn.toString().contains(functionId)) {
                return APIGatewayCustomAuthorizerEvent.class;
            }
        }
        for (var e : resources.entrySet()) {
            Map<String, Object> r = Template.map(e.getValue());
            if (String.valueOf(r.get("Type")).startsWith("Custom::")
                    && Template.map(r.get("Properties")).get("ServiceToken").toString().contains(functionId)) {
                return CloudFormationCustomResourceEvent.class;
            }
        }
        Set<String> triggers = new HashSet<>();
        Template.map(TEMPLATE.properties(functionId).get("Events"))
                .values().forEach(ev -> triggers.add((String) Template.map(ev).get("Type")));
        assertEquals(1, triggers.size(), functionId + " must have exactly one kind of trigger, has " + triggers);
        return switch (triggers.iterator().next()) {
            case "Api" -> APIGatewayProxyRequestEvent.class;
            case "S3" -> S3Event.class;
            case "Schedule" -> ScheduledEvent.class;
            default -> throw new AssertionError("unexpected trigger " + triggers);
        };
    }

    private static Class<?> handlerClass(String functionId) throws ClassNotFoundException {
        String handler = (String) TEMPLATE.properties(functionId).get("Handler");
        assertNotNull(handler, functionId + " has no Handler");
        assertTrue(handler.endsWith("::handleRequest"), handler);
        return Class.forName(handler.substring(0, handler.indexOf("::")));
    }

    private static Type inputType(Class<?> handler) {
        for (Class<?> c = handler; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    return p.getActualTypeArguments()[0];
                }
            }
        }
        return null;
    }

    @Test
    void template_parsesWithIntrinsics_andTargetsJava25() {
        assertTrue(Template.list(TEMPLATE.root().get("Transform")).contains("AWS::Serverless-2016-10-31"),
                "Transform: " + TEMPLATE.root().get("Transform"));
        assertEquals("java25", TEMPLATE.globals("Function").get("Runtime"));
        Map<String, Object> env = Template.map(Template.map(TEMPLATE.properties("CatalogApiFunction")
                .get("Environment")).get("Variables"));
        assertTrue(env.get("DB_SECRET_ARN") instanceof Map<?, ?> m && m.containsKey("Ref"), "!Ref not long-form: " + env);
        assertTrue(env.get("DB_URL") instanceof Map<?, ?> m && m.containsKey("Fn::Sub"), "!Sub not long-form: " + env);
        assertFalse(TEMPLATE.resourcesOfType(FUNCTION).isEmpty());
    }

    @Test
    void everyHandler_existsAndTakesTheEventItsTriggerSends() {
        List<String> problems = new ArrayList<>();
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            try {
                Class<?> handler = handlerClass(id);
                Type input = inputType(handler);
                Class<?> expected = expectedInput(id);
                if (input != expected) {
                    problems.add(id + ": " + handler.getName() + " takes " + input + ", its trigger sends " + expected.getName());
                }
                handler.getConstructor();
                handler.getConstructor(Env.class);
            } catch (ClassNotFoundException e) {
                problems.add(id + ": no class " + e.getMessage());
            } catch (NoSuchMethodException e) {
                problems.add(id + ": needs public no-arg and (Env) constructors: " + e.getMessage());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyVariableAFunctionReads_isSetForItInTheTemplate() throws Exception {
        LocalStack stack = TestStack.get().stack();
        Map<String, String> overrides = new HashMap<>(TestStack.baseEnvironment(stack));
        overrides.put("DB_SECRET_ARN", "");
        overrides.put("DB_CA_BUNDLE", "");
        overrides.put("DB_USER", stack.endpoints().dbUser());
        overrides.put("DB_PASSWORD", stack.endpoints().dbPassword());
        overrides.put("JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json");
        overrides.put("PUBLIC_IMAGE_BASE_URL", stack.endpoints().s3Endpoint() + "/" + stack.resources().name("ImagesBucket"));
        overrides.put("SCHEMA_VERSION", "local");
        Map<String, String> parameters = Map.of("DbEndpoint", "127.0.0.1", "DbSecretArn", "", "DbMigrationSecretArn", "",
                "RedisAuthSecretArn", "none", "RedisNodes",
                String.join(",", stack.endpoints().redisNodes()), "JwtIssuer", "shop-local", "JwksUrl",
                "http://127.0.0.1:9/.well-known/jwks.json");
        Set<String> allowedWithoutTemplate = new HashSet<>(FunctionEnvironment.RUNTIME_PROVIDED);
        List<String> problems = new ArrayList<>();
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Map<String, String> env = FunctionEnvironment.resolve(TEMPLATE, id, parameters,
                    localNames(stack), overrides);
            Env recording = Env.of(env);
            Object handler = handlerClass(id).getConstructor(Env.class).newInstance(recording);
            Set<String> declared = FunctionEnvironment.declared(TEMPLATE, id);
            Set<String> missing = new TreeSet<>(recording.namesRead());
            missing.removeAll(declared);
            missing.removeAll(allowedWithoutTemplate);
            if (!missing.isEmpty()) {
                problems.add(id + " reads " + missing + " which template.yaml does not set for it");
            }
            if (handler instanceof AutoCloseable c) {
                c.close();
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static Map<String, String> localNames(LocalStack stack) {
        Map<String, String> names = new LinkedHashMap<>(stack.resources().physicalIds());
        TEMPLATE.resources().keySet().forEach(id -> names.putIfAbsent(id, Provisioner.kebab(id)));
        return names;
    }

    /** The function a sample event belongs to, by file-name prefix (events/catalog-get-goods.json). */
    static String functionForEvent(String fileName) {
        String best = null;
        int bestLength = -1;
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            String kebab = Provisioner.kebab(id).replaceFirst("-function$", "");
            for (String prefix : List.of(kebab, kebab.replaceFirst("-api$", ""))) {
                if (fileName.startsWith(prefix + "-") && prefix.length() > bestLength) {
                    best = id;
                    bestLength = prefix.length();
                }
            }
        }
        return best;
    }

    @Test
    void everySampleEvent_deserialisesIntoItsFunctionsEventType_withTheRuntimeSerializer() throws Exception {
        Path events = ProjectRoot.find().resolve("events");
        List<Path> files;
        try (Stream<Path> s = Files.list(events)) {
            files = s.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().startsWith("env."))
                    .sorted().toList();
        }
        assertFalse(files.isEmpty(), "no sample events in " + events);
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            String function = functionForEvent(name);
            if (function == null) {
                problems.add(name + ": no function matches its name prefix");
                continue;
            }
            Class<?> type = expectedInput(function);
            PojoSerializer<?> serializer = LambdaEventSerializers.serializerFor(type, getClass().getClassLoader());
            try (InputStream in = Files.newInputStream(file)) {
                Object event = serializer.fromJson(in);
                if (event == null) {
                    problems.add(name + ": deserialised to null");
                } else if (event instanceof APIGatewayProxyRequestEvent api
                        && (api.getHttpMethod() == null || api.getResource() == null)) {
                    problems.add(name + ": API event without httpMethod or resource");
                } else if (event instanceof S3Event s3 && (s3.getRecords() == null || s3.getRecords().isEmpty())) {
                    problems.add(name + ": S3 event without records");
                }
            } catch (IOException | RuntimeException e) {
                problems.add(name + ": " + e);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * sam local invoke overrides only the variables a function declares: a variable events/env.local.json
     * sets that no function declares is silently dropped, and the function then runs against AWS's
     * defaults instead of the local stack. Every section must name a function, every variable of a
     * function's section must be declared by it, and every variable of Parameters (all functions) by
     * at least one.
     */
    @Test
    void envLocalJson_setsOnlyVariablesTheTemplateDeclares() {
        Map<String, Map<String, String>> file = FunctionEnvironment.readEnvVars(ProjectRoot.find().resolve(
                "events/env.local.json"));
        assertFalse(file.isEmpty());
        Set<String> functions = TEMPLATE.resourcesOfType(FUNCTION).keySet();
        List<String> problems = new ArrayList<>();
        file.forEach((section, vars) -> {
            if (section.equals("Parameters")) {
                vars.keySet().stream().filter(v -> functions.stream()
                                .noneMatch(f -> FunctionEnvironment.declared(TEMPLATE, f).contains(v)))
                        .forEach(v -> problems.add("Parameters." + v + ": no function declares it"));
            } else if (!functions.contains(section)) {
                problems.add(section + ": no such function in template.yaml");
            } else {
                Set<String> declared = FunctionEnvironment.declared(TEMPLATE, section);
                vars.keySet().stream().filter(v -> !declared.contains(v))
                        .forEach(v -> problems.add(section + "." + v + ": " + section + " does not declare it"));
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * With events/env.local.json applied the way SAM applies it (declared variables only, SAM's
     * pseudo parameters, blanks for what it cannot resolve), every function can be built and reads
     * nothing the template does not declare or Lambda does not set, and its endpoints are the
     * documented fixed ports at host.docker.internal.
     */
    @Test
    void envLocalJson_appliedAsSamApplies_givesEveryFunctionWhatItReads() throws Exception {
        Map<String, Map<String, String>> file = FunctionEnvironment.readEnvVars(ProjectRoot.find().resolve(
                "events/env.local.json"));
        List<String> problems = new ArrayList<>();
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Map<String, String> env = FunctionEnvironment.samLocal(TEMPLATE, id, Map.of(), Map.of(), file);
            Env recording = Env.of(env);
            try {
                Object handler = handlerClass(id).getConstructor(Env.class).newInstance(recording);
                if (handler instanceof AutoCloseable c) {
                    c.close();
                }
            } catch (java.lang.reflect.InvocationTargetException e) {
                problems.add(id + " cannot start with env.local.json as SAM applies it: " + e.getCause());
                continue;
            }
            Set<String> unknown = new TreeSet<>(recording.namesRead());
            unknown.removeAll(FunctionEnvironment.declared(TEMPLATE, id));
            unknown.removeAll(FunctionEnvironment.RUNTIME_PROVIDED);
            if (!unknown.isEmpty()) {
                problems.add(id + " reads " + unknown + " which neither the template nor Lambda sets");
            }
            if (env.containsKey("DB_URL") && !env.get("DB_URL").startsWith(
                    "jdbc:mysql://host.docker.internal:" + shop.stack.StackPorts.DB + "/")) {
                problems.add(id + " DB_URL is not the fixed local port: " + env.get("DB_URL"));
            }
        }
        Map<String, String> parameters = file.get("Parameters");
        assertEquals("http://host.docker.internal:" + shop.stack.StackPorts.S3, parameters.get("S3_ENDPOINT"));
        assertEquals("http://host.docker.internal:" + shop.stack.StackPorts.DYNAMODB, parameters.get("DYNAMODB_ENDPOINT"));
        assertTrue(parameters.get("REDIS_NODES").startsWith("host.docker.internal:" + shop.stack.StackPorts.REDIS_FIRST + ","),
                parameters.get("REDIS_NODES"));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * template.yaml against the official SAM schema that every developer and CI have at
     * ../shared/schemas (the same check .ci/run makes first): cfn-lint and the translator both
     * accept properties the schema refuses, e.g. AutoPublishAliasAllProperties under Globals.
     */
    @Test
    void template_isValidAgainstTheOfficialSamSchema() throws IOException {
        Path root = ProjectRoot.find();
        Path schema = root.resolve("../shared/schemas/sam.schema.json").normalize();
        assertTrue(Files.isRegularFile(schema), schema + " is missing: every checkout sits beside ../shared");
        List<String> errors = TemplateSchemaCheck.validate(root.resolve("template.yaml"), schema).stream()
                .map(e -> e.getMessage()).sorted().toList();
        assertEquals(List.of(), errors);
    }

    @Test
    void everyFunction_publishesAVersionWhenAnythingItRunsWithChanges() {
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Map<String, Object> p = TEMPLATE.properties(id);
            assertEquals(Map.of("Ref", "DeployDigest"), p.get("AutoPublishCodeSha256"), id);
            assertEquals(true, p.get("AutoPublishAliasAllProperties"), id);
        }
    }

    @Test
    void authorizer_isInvokedThroughItsSnapStartAlias() {
        Map<String, Object> authorizers = Template.map(Template.map(TEMPLATE.properties("ShopApi").get("Auth"))
                .get("Authorizers"));
        assertFalse(authorizers.isEmpty());
        authorizers.forEach((name, a) -> assertEquals(Map.of("Ref", "AuthorizerFunction.Alias"),
                Template.map(a).get("FunctionArn"), name + " must name the alias, not $LATEST"));
        assertEquals("PublishedVersions", Template.map(TEMPLATE.globals("Function").get("SnapStart")).get("ApplyOn"));
        assertEquals("live", TEMPLATE.globals("Function").get("AutoPublishAlias"));
    }

    @Test
    void everyFunctionButTheMigration_waitsForTheSchemaMigration_andTheMigrationWaitsForNone() {
        Map<String, Object> globals = Template.map(Template.map(TEMPLATE.globals("Function").get("Environment"))
                .get("Variables"));
        assertEquals(Map.of("Fn::GetAtt", List.of("DatabaseSchema", "SchemaVersion")), globals.get("SCHEMA_VERSION"),
                "every function's update (so its version and alias) must reference the migration's result");
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Object own = Template.map(Template.map(TEMPLATE.properties(id).get("Environment")).get("Variables"))
                    .get("SCHEMA_VERSION");
            if (id.equals("MigrateFunction")) {
                assertEquals("", own, "MigrateFunction runs the migration: it cannot wait for it");
            } else {
                assertEquals(null, own, id + " overrides SCHEMA_VERSION and would not wait for the migration");
            }
        }
        Map<String, Object> schema = TEMPLATE.properties("DatabaseSchema");
        assertEquals(Map.of("Fn::GetAtt", List.of("MigrateFunction", "Arn")), schema.get("ServiceToken"));
        assertEquals(Map.of("Ref", "MigrateFunction.Version"), schema.get("CodeVersion"),
                "the migration must run on every code change, and depend on no function that waits for it");
    }

    /**
     * The same order, checked by local/stack/src/main/python/deploy_order.py on the template SAM
     * deploys (transformed by the official aws-sam-translator): every alias that takes traffic
     * depends on DatabaseSchema, DatabaseSchema on none of them, and API Gateway may invoke the
     * authorizer's alias. Needs python3 with aws-sam-translator (installed on the project's machines
     * and in CI; .ci/run checks for it); without it the test fails, saying how to install it.
     */
    @Test
    void deployOrder_holdsOnTheTransformedTemplate() throws Exception {
        Path root = ProjectRoot.find();
        assertTrue(pythonHasSamTranslator(), "python3 with aws-sam-translator is not installed here:"
                + " pip install aws-sam-translator==1.110.0 (cfn-lint brings it too)");
        Process p = new ProcessBuilder("python3", root.resolve("local/stack/src/main/python/deploy_order.py").toString(),
                root.resolve("template.yaml").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "deploy_order.py hung");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("wait for DatabaseSchema"), out);
    }

    private static boolean pythonHasSamTranslator() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import samtranslator").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void functionForEvent_mapsByLongestPrefix() {
        assertEquals("UploadsApiFunction", functionForEvent("uploads-post-banner.json"));
        assertEquals("UploadCompleteFunction", functionForEvent("upload-complete-s3-put.json"));
        assertEquals("CatalogApiFunction", functionForEvent("catalog-get-goods.json"));
        assertEquals("ReservationSweeperFunction", functionForEvent("reservation-sweeper-scheduled.json"));
        assertEquals(null, functionForEvent("nothing.json"));
        if (functionForEvent("health-get.json") == null) {
            fail("health events must map to HealthFunction");
        }
    }

    // ---------------------------------------------------------------- scale-out against one database (issue 10, item 5)

    /** The functions that open database connections: every one whose environment sets DB_URL. */
    private static Map<String, Map<String, Object>> databaseFunctions() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        TEMPLATE.resourcesOfType(FUNCTION).forEach((id, resource) -> {
            Map<String, Object> vars = Template.map(Template.map(TEMPLATE.properties(id).get("Environment")).get("Variables"));
            if (vars.containsKey("DB_URL")) {
                out.put(id, vars);
            }
        });
        return out;
    }

    private static Object parameterDefault(String name) {
        return Template.map(Template.map(TEMPLATE.root().get("Parameters")).get(name)).get("Default");
    }

    /** reservedConcurrency is a function's ReservedConcurrentExecutions, resolved to its default. */
    private static int reservedConcurrency(String functionId) {
        Object value = TEMPLATE.properties(functionId).get("ReservedConcurrentExecutions");
        assertNotNull(value, functionId + " has no ReservedConcurrentExecutions");
        if (value instanceof Number n) {
            return n.intValue();
        }
        String param = (String) Template.map(value).get("Ref");
        assertNotNull(param, functionId + ": ReservedConcurrentExecutions is neither a number nor a !Ref");
        Map<String, Object> p = Template.map(Template.map(TEMPLATE.root().get("Parameters")).get(param));
        assertEquals("Number", p.get("Type"), param + " must be a Number");
        assertTrue(((Number) p.get("MinValue")).intValue() >= 1, param + " must not allow 0 (that throttles everything)");
        return ((Number) p.get("Default")).intValue();
    }

    private static int poolSize(Map<String, Object> vars) {
        Object value = vars.get("DB_POOL_SIZE");
        if (value instanceof Map<?, ?> m) {
            return Integer.parseInt(String.valueOf(parameterDefault((String) m.get("Ref"))));
        }
        return Integer.parseInt(String.valueOf(value));
    }

    @Test
    void everyFunction_hasItsReservedConcurrencyAsAParameter_exceptTheSingleMigration() {
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Object value = TEMPLATE.properties(id).get("ReservedConcurrentExecutions");
            if ("MigrateFunction".equals(id)) {
                assertEquals(1, value, "migrations run one at a time");
            } else {
                assertTrue(value instanceof Map<?, ?> m && m.containsKey("Ref"), id + " must take its reserved"
                        + " concurrency from a parameter, not " + value);
                reservedConcurrency(id);
            }
        }
    }

    @Test
    void connectionArithmetic_inTheDocs_isTheTemplatesWorstCase() throws IOException {
        int total = 0;
        List<String> terms = new ArrayList<>();
        for (var e : databaseFunctions().entrySet()) {
            int n = reservedConcurrency(e.getKey()) * poolSize(e.getValue());
            terms.add(e.getKey() + "=" + n);
            total += n;
        }
        String doc = Files.readString(ProjectRoot.find().resolve("docs/database.md"));
        assertTrue(doc.contains("**" + total + " connections**"), "docs/database.md must state the defaults' worst case, **"
                + total + " connections** (" + String.join(", ", terms) + ")");
    }

    @Test
    void everyDatabaseFunction_canRunBehindRdsProxy_andVerifiesTheServersIdentity() {
        for (var e : databaseFunctions().entrySet()) {
            String id = e.getKey();
            Map<String, Object> vars = e.getValue();
            assertEquals(Map.of("Ref", "RdsProxy"), vars.get("DB_RDS_PROXY"), id + ": DB_RDS_PROXY");
            assertTrue(String.valueOf(vars.get("DB_URL")).contains("sslMode=VERIFY_IDENTITY"), id + ": DB_URL must verify the server");
            assertTrue(String.valueOf(vars.get("DB_CA_BUNDLE")).contains("UseRdsProxy"), id
                    + ": DB_CA_BUNDLE must be the RDS bundle directly and the JVM's trust store behind a proxy");
            assertTrue(String.valueOf(TEMPLATE.properties(id).get("Layers")).contains("RdsCaBundleLayer"), id
                    + " must have the RDS CA bundle layer");
            Database.requireNoPinningOptions(String.valueOf(vars.get("DB_URL")));
        }
        Map<String, Object> outputs = Template.map(TEMPLATE.root().get("Outputs"));
        assertEquals(Database.PROXY_INIT_QUERY, Template.map(outputs.get("DbProxyInitQuery")).get("Value"),
                "the template's DbProxyInitQuery output must be what the code leaves to the proxy");
    }

    @Test
    void onlyMigrateFunction_connectsAsTheMigrationUser() {
        for (var e : databaseFunctions().entrySet()) {
            String expected = "MigrateFunction".equals(e.getKey()) ? "DbMigrationSecretArn" : "DbSecretArn";
            assertEquals(Map.of("Ref", expected), e.getValue().get("DB_SECRET_ARN"), e.getKey() + ": DB_SECRET_ARN");
            String policies = String.valueOf(TEMPLATE.properties(e.getKey()).get("Policies"));
            String other = "MigrateFunction".equals(e.getKey()) ? "DbSecretArn}" : "DbMigrationSecretArn}";
            assertTrue(policies.contains(expected + "}"), e.getKey() + " must be allowed to read " + expected);
            assertFalse(policies.contains(other), e.getKey() + " must not be allowed to read the other user's secret");
        }
    }

    // ------------------------------------------------------------ operations: events, logs, alarms, retention

    /** Event sources that invoke a function asynchronously (Lambda retries, then the on-failure destination). */
    private static final Set<String> ASYNC_TRIGGERS = Set.of("S3", "Schedule", "ScheduleV2", "SNS", "EventBridgeRule",
            "CloudWatchEvent");

    private static Set<String> triggers(String functionId) {
        Set<String> out = new TreeSet<>();
        Template.map(TEMPLATE.properties(functionId).get("Events")).values()
                .forEach(ev -> out.add(String.valueOf(Template.map(ev).get("Type"))));
        return out;
    }

    private static boolean isRef(Object value, String target) {
        return value instanceof Map<?, ?> m && target.equals(m.get("Ref"));
    }

    /** getAttTarget returns X of {@code !GetAtt X.Attr} (either form), or null. */
    private static String getAttTarget(Object value, String attribute) {
        if (value instanceof Map<?, ?> m && m.get("Fn::GetAtt") != null) {
            Object att = m.get("Fn::GetAtt");
            List<?> parts = att instanceof List<?> l ? l : List.of(String.valueOf(att).split("\\.", 2));
            return parts.size() == 2 && attribute.equals(parts.get(1)) ? String.valueOf(parts.get(0)) : null;
        }
        return null;
    }

    private static Map<String, Map<String, Object>> alarms() {
        return TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm");
    }

    /** alarmOn finds the alarms on one metric whose dimension {@code name} is {@code value} (a Ref/GetAtt or text). */
    private static List<String> alarmsOn(String namespace, String metric, String dimension, Object value) {
        List<String> out = new ArrayList<>();
        alarms().forEach((id, alarm) -> {
            Map<String, Object> p = Template.map(alarm.get("Properties"));
            if (!namespace.equals(p.get("Namespace")) || !metric.equals(p.get("MetricName"))) {
                return;
            }
            for (Object d : Template.list(p.get("Dimensions"))) {
                Map<String, Object> dim = Template.map(d);
                if (dimension.equals(dim.get("Name")) && value.equals(dim.get("Value"))) {
                    out.add(id);
                }
            }
        });
        return out;
    }

    @Test
    void everyAsyncFunction_sendsFailedEventsToAFourteenDayQueue_withDeliberateRetries() {
        List<String> problems = new ArrayList<>();
        List<String> asyncFunctions = new ArrayList<>();
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Set<String> triggers = triggers(id);
            triggers.retainAll(ASYNC_TRIGGERS);
            if (triggers.isEmpty()) {
                continue;
            }
            asyncFunctions.add(id);
            Map<String, Object> config = Template.map(TEMPLATE.properties(id).get("EventInvokeConfig"));
            if (!(config.get("MaximumRetryAttempts") instanceof Integer retries) || retries < 0 || retries > 2) {
                problems.add(id + ": EventInvokeConfig.MaximumRetryAttempts must be set (0..2), is " + config.get("MaximumRetryAttempts"));
            }
            if (!(config.get("MaximumEventAgeInSeconds") instanceof Integer age) || age < 60 || age > 21600) {
                problems.add(id + ": EventInvokeConfig.MaximumEventAgeInSeconds must be set (60..21600), is "
                        + config.get("MaximumEventAgeInSeconds"));
            }
            Map<String, Object> onFailure = Template.map(Template.map(config.get("DestinationConfig")).get("OnFailure"));
            String queue = getAttTarget(onFailure.get("Destination"), "Arn");
            if (!"SQS".equals(onFailure.get("Type")) || queue == null) {
                problems.add(id + ": EventInvokeConfig.DestinationConfig.OnFailure must be an SQS queue (!GetAtt Q.Arn), is " + onFailure);
                continue;
            }
            Map<String, Object> q = TEMPLATE.resources().get(queue);
            if (q == null || !"AWS::SQS::Queue".equals(q.get("Type"))) {
                problems.add(id + ": on-failure destination " + queue + " is not an AWS::SQS::Queue of this template");
                continue;
            }
            if (!Integer.valueOf(1_209_600).equals(Template.map(q.get("Properties")).get("MessageRetentionPeriod"))) {
                problems.add(queue + ": MessageRetentionPeriod must be 1209600 (14 days)");
            }
            Map<String, String> queueName = Map.of("Fn::GetAtt", queue + ".QueueName");
            if (alarmsOn("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
                    Map.of("Fn::GetAtt", List.of(queue, "QueueName"))).isEmpty()
                    && alarmsOn("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queueName).isEmpty()) {
                problems.add(queue + ": no alarm on its depth (ApproximateNumberOfMessagesVisible > 0)");
            }
        }
        assertTrue(asyncFunctions.containsAll(List.of("UploadCompleteFunction", "ReservationSweeperFunction")), "" + asyncFunctions);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyFunction_logsToALogGroupOfItsOwn_keptForTheRetentionParameter() {
        List<String> problems = new ArrayList<>();
        Map<String, String> groupOwner = new HashMap<>();
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Object ref = Template.map(TEMPLATE.properties(id).get("LoggingConfig")).get("LogGroup");
            String group = ref instanceof Map<?, ?> m ? (String) m.get("Ref") : null;
            Map<String, Object> resource = group == null ? null : TEMPLATE.resources().get(group);
            if (resource == null || !"AWS::Logs::LogGroup".equals(resource.get("Type"))) {
                problems.add(id + ": LoggingConfig.LogGroup must be !Ref of an AWS::Logs::LogGroup here, is " + ref);
                continue;
            }
            String before = groupOwner.put(group, id);
            if (before != null) {
                problems.add(group + " is shared by " + before + " and " + id);
            }
        }
        TEMPLATE.resourcesOfType("AWS::Logs::LogGroup").forEach((id, group) -> {
            if (!isRef(Template.map(group.get("Properties")).get("RetentionInDays"), "LogRetentionDays")) {
                problems.add(id + ": RetentionInDays must be !Ref LogRetentionDays");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyFunction_isAlarmedOnErrorsAndThrottles_andEveryAlarmNotifiesTheTopic() {
        List<String> problems = new ArrayList<>();
        for (String id : TEMPLATE.resourcesOfType(FUNCTION).keySet()) {
            Map<String, String> ref = Map.of("Ref", id);
            if (alarmsOn("AWS/Lambda", "Throttles", "FunctionName", ref).isEmpty()) {
                problems.add(id + ": no Throttles alarm");
            }
            // The authorizer throws "Unauthorized" for every bad token (API Gateway's contract), so its
            // Errors are not failures; a real one surfaces as the API's 5xx (AUTHORIZER_FAILURE).
            if (!id.equals("AuthorizerFunction") && alarmsOn("AWS/Lambda", "Errors", "FunctionName", ref).isEmpty()) {
                problems.add(id + ": no Errors alarm");
            }
        }
        alarms().forEach((id, alarm) -> {
            Map<String, Object> p = Template.map(alarm.get("Properties"));
            if (Template.list(p.get("AlarmActions")).stream().noneMatch(a -> isRef(a, "AlarmTopic"))) {
                problems.add(id + ": AlarmActions must include !Ref AlarmTopic");
            }
        });
        assertEquals("AWS::SNS::Topic", TEMPLATE.resources().get("AlarmTopic").get("Type"));
        Map<String, Map<String, Object>> subscriptions = TEMPLATE.resourcesOfType("AWS::SNS::Subscription");
        assertTrue(subscriptions.values().stream().map(r -> Template.map(r.get("Properties")))
                .anyMatch(p -> isRef(p.get("TopicArn"), "AlarmTopic") && "email".equals(p.get("Protocol"))
                        && isRef(p.get("Endpoint"), "AlarmEmail")), "no e-mail subscription of AlarmEmail to AlarmTopic");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void apiLockAndSweeperAlarms_watchTheirMetrics_withParameterThresholds() {
        Map<String, Object> rate = Template.map(alarms().get("ApiErrorRateAlarm").get("Properties"));
        assertTrue(isRef(rate.get("Threshold"), "ApiErrorRateThreshold"), "5xx rate threshold: " + rate.get("Threshold"));
        assertTrue(Template.list(rate.get("Metrics")).stream().map(Template::map)
                .anyMatch(m -> "5XXError".equals(Template.map(Template.map(m.get("MetricStat")).get("Metric")).get("MetricName"))),
                "the 5xx rate alarm does not read AWS/ApiGateway 5XXError");
        Map<String, Object> latency = Template.map(alarms().get("ApiLatencyAlarm").get("Properties"));
        assertEquals("p99", latency.get("ExtendedStatistic"));
        assertEquals("Latency", latency.get("MetricName"));
        assertTrue(isRef(latency.get("Threshold"), "ApiLatencyP99ThresholdMs"));
        assertFalse(alarmsOn("ShopBackend", "LockQuorumLost", "Service", "inventory").isEmpty(), "no lock quorum-loss alarm");
        List<String> lag = alarmsOn("ShopBackend", "SweeperLag", "Service", "inventory");
        assertEquals(1, lag.size(), "sweeper lag alarms: " + lag);
        assertTrue(isRef(Template.map(alarms().get(lag.getFirst()).get("Properties")).get("Threshold"),
                "SweeperLagThresholdSeconds"));
    }

    /**
     * Two stacks in one account and region share the ShopBackend namespace: every alarm and graph on
     * it must name this stack, with exactly the dimensions the code writes (CloudWatch matches a
     * metric by its whole dimension set, so an alarm with one dimension fewer watches nothing).
     */
    @Test
    void shopBackendAlarmsAndGraphs_readThisStacksMetrics_withTheDimensionsTheCodeWrites() throws Exception {
        List<String> lines = new ArrayList<>();
        new EmbeddedMetrics(Metrics.NAMESPACE, Map.of("Service", "inventory"), lines::add)
                .publish(List.of(new EmbeddedMetrics.Metric("Probe", 1, "Count")), 0);
        Set<String> written = new TreeSet<>();
        Json.MAPPER.readTree(lines.getFirst()).at("/_aws/CloudWatchMetrics/0/Dimensions/0").forEach(d -> written.add(d.asText()));
        assertEquals(Set.of("Service", "Stack"), written);
        Map<String, Object> env = Template.map(Template.map(TEMPLATE.globals("Function").get("Environment")).get("Variables"));
        assertEquals(Map.of("Ref", "AWS::StackName"), env.get("STACK_NAME"), "the code reads the Stack dimension from STACK_NAME");

        List<String> problems = new ArrayList<>();
        alarms().forEach((id, alarm) -> {
            Map<String, Object> p = Template.map(alarm.get("Properties"));
            if (!Metrics.NAMESPACE.equals(p.get("Namespace"))) {
                return;
            }
            Map<String, Object> dimensions = new HashMap<>();
            Template.list(p.get("Dimensions")).forEach(d -> dimensions.put(String.valueOf(Template.map(d).get("Name")),
                    Template.map(d).get("Value")));
            if (!dimensions.keySet().equals(written) || !Map.of("Ref", "AWS::StackName").equals(dimensions.get("Stack"))) {
                problems.add(id + " watches " + dimensions);
            }
        });
        Map<String, Object> dashboard = Template.map(TEMPLATE.resourcesOfType("AWS::CloudWatch::Dashboard")
                .values().iterator().next().get("Properties"));
        String body = String.valueOf(Template.map(dashboard.get("DashboardBody")).get("Fn::Sub"));
        int graphed = 0;
        for (JsonNode widget : Json.MAPPER.readTree(body).get("widgets")) {
            for (JsonNode metric : widget.path("properties").path("metrics")) {
                if (!Metrics.NAMESPACE.equals(metric.path(0).asText())) {
                    continue;
                }
                graphed++;
                Map<String, String> dimensions = new HashMap<>();
                for (int i = 2; i + 1 < metric.size() && metric.get(i).isTextual(); i += 2) {
                    dimensions.put(metric.get(i).asText(), metric.get(i + 1).asText());
                }
                boolean fromAccessLog = metric.path(1).asText().equals("OrdersReserved");
                // OrdersReserved comes from the access log's metric filter, whose only dimension is Stack.
                if (!"${AWS::StackName}".equals(dimensions.get("Stack"))
                        || !dimensions.keySet().equals(fromAccessLog ? Set.of("Stack") : written)) {
                    problems.add("dashboard graphs " + metric);
                }
            }
        }
        assertTrue(graphed >= 10, "graphs found: " + graphed);
        // OrdersReserved comes from the access log, whose lines carry the stack's name.
        Map<String, Object> filter = TEMPLATE.properties("OrdersReservedMetricFilter");
        Map<String, Object> transformation = Template.map(Template.list(filter.get("MetricTransformations")).getFirst());
        assertEquals(List.of(Map.of("Key", "Stack", "Value", "$.stack")), transformation.get("Dimensions"));
        Object format = Template.map(TEMPLATE.properties("ShopApi").get("AccessLogSetting")).get("Format");
        assertTrue(String.valueOf(Template.map(format).get("Fn::Sub")).startsWith("{\"stack\":\"${AWS::StackName}\","),
                String.valueOf(format));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void metricsPublishedEveryRun_alarmWhenTheyStopArriving() {
        // SweeperLag (every sweep) and MismatchedGoods (every reconciliation) are published with zeros,
        // so silence means the function stopped running or its metric lines stopped reaching CloudWatch.
        Map<String, Object> lag = Template.map(alarms().get(
                alarmsOn("ShopBackend", "SweeperLag", "Service", "inventory").getFirst()).get("Properties"));
        assertEquals("breaching", lag.get("TreatMissingData"), "a stopped sweeper must alarm");
        List<String> reconciliation = alarmsOn("ShopBackend", "MismatchedGoods", "Service", "inventory");
        assertTrue(reconciliation.stream().map(id -> Template.map(alarms().get(id).get("Properties")))
                        .anyMatch(p -> "SampleCount".equals(p.get("Statistic")) && "breaching".equals(p.get("TreatMissingData"))
                                && "LessThanThreshold".equals(p.get("ComparisonOperator"))),
                "no alarm fires when the reconciliation stops publishing: " + reconciliation);
        assertTrue(reconciliation.stream().map(id -> Template.map(alarms().get(id).get("Properties")))
                        .anyMatch(p -> "GreaterThanThreshold".equals(p.get("ComparisonOperator"))
                                && Integer.valueOf(0).equals(p.get("Threshold"))),
                "no alarm on a mismatch: " + reconciliation);
        // The reconciliation's fold falling behind (UnfoldedRecords, published every run) has its own alarm.
        List<String> backlog = alarmsOn("ShopBackend", "UnfoldedRecords", "Service", "inventory");
        assertEquals(1, backlog.size(), "fold backlog alarms: " + backlog);
        assertTrue(isRef(Template.map(alarms().get(backlog.getFirst()).get("Properties")).get("Threshold"),
                "ReconciliationBacklogThreshold"));
    }

    @Test
    void applicationLogLevel_keepsInfoLines_becauseTheMetricsAreInfoLines() {
        // EMF metric lines carry no "level", so Lambda's log-level filtering treats them as INFO: a
        // level above INFO would drop every custom metric, and the alarms on them with it.
        List<String> levels = List.of("TRACE", "DEBUG", "INFO");
        Object global = Template.map(TEMPLATE.globals("Function").get("LoggingConfig")).get("ApplicationLogLevel");
        if (global instanceof Map<?, ?> ref) {
            // A parameter (LogLevel): every value it allows, and its default, must keep INFO lines.
            Map<String, Object> parameter = Template.map(Template.map(TEMPLATE.root().get("Parameters")).get(ref.get("Ref")));
            assertTrue(levels.contains(parameter.get("Default")), "default of " + ref + ": " + parameter.get("Default"));
            assertTrue(parameter.get("AllowedValues") instanceof List<?> allowed && levels.containsAll(allowed),
                    ref + " must allow only " + levels + ", allows " + parameter.get("AllowedValues"));
        } else {
            assertTrue(levels.contains(global), "Globals ApplicationLogLevel: " + global);
        }
        TEMPLATE.resourcesOfType("AWS::Serverless::Function").forEach((id, r) -> {
            Object own = Template.map(Template.map(r.get("Properties")).get("LoggingConfig")).get("ApplicationLogLevel");
            assertTrue(own == null || levels.contains(own), id + " ApplicationLogLevel: " + own);
        });
    }

    @Test
    void dashboard_showsEveryAlarm_ordersReservedAndUploadOutcomes() throws IOException {
        Map<String, Map<String, Object>> dashboards = TEMPLATE.resourcesOfType("AWS::CloudWatch::Dashboard");
        assertEquals(1, dashboards.size());
        Object body = Template.map(dashboards.values().iterator().next().get("Properties")).get("DashboardBody");
        String text = String.valueOf(Template.map(body).get("Fn::Sub"));
        // The body is JSON once ${...} are substituted.
        shop.platform.json.Json.MAPPER.readTree(text.replaceAll("\\$\\{[^}]+}", "x"));
        List<String> missing = new ArrayList<>();
        alarms().keySet().forEach(id -> {
            if (!text.contains("${" + id + ".Arn}")) {
                missing.add("alarm " + id);
            }
        });
        for (String metric : List.of("\"OrdersReserved\"", "\"UploadsStored\"", "\"UploadsRejected\"", "\"UploadsFailed\"",
                "\"SweeperLag\"", "\"LockQuorumLost\"", "\"ApproximateNumberOfMessagesVisible\"")) {
            if (!text.contains(metric)) {
                missing.add("metric " + metric);
            }
        }
        assertTrue(missing.isEmpty(), "not on the dashboard: " + missing);
        // The upload outcomes under the Service dimension the function's Metrics really write
        // (UploadOutcomeMetricsTest runs the handler and compares its line with this graph).
        for (String outcome : List.of("UploadsStored", "UploadsRejected", "UploadsIgnored", "UploadsFailed")) {
            String graphed = "[\"ShopBackend\",\"" + outcome + "\",\"Service\",\""
                    + shop.media.UploadCompleteHandler.METRICS_SERVICE + "\",\"Stack\",\"${AWS::StackName}\"]";
            assertTrue(text.contains(graphed), "the dashboard does not graph " + graphed);
        }
        Map<String, Object> filter = Template.map(TEMPLATE.resources().get("OrdersReservedMetricFilter").get("Properties"));
        assertTrue(isRef(filter.get("LogGroupName"), "ApiAccessLogGroup"));
        assertTrue(String.valueOf(filter.get("FilterPattern")).contains("\"/inventory/reservations\""));
    }

    @Test
    void bucketTablesAndLogGroups_areRetainedOnDeleteAndReplace_unlessADevStackSaysDelete() {
        assertTrue(Template.list(TEMPLATE.root().get("Transform")).contains("AWS::LanguageExtensions"),
                "intrinsic functions in DeletionPolicy need the AWS::LanguageExtensions transform");
        Map<String, Object> parameter = Template.map(Template.map(TEMPLATE.root().get("Parameters")).get("DataRetentionPolicy"));
        assertEquals("Retain", parameter.get("Default"));
        assertEquals(List.of("Retain", "Delete"), parameter.get("AllowedValues"));
        List<String> problems = new ArrayList<>();
        for (String type : List.of("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Logs::LogGroup")) {
            Map<String, Map<String, Object>> resources = TEMPLATE.resourcesOfType(type);
            if (resources.isEmpty()) {
                problems.add("no " + type);
            }
            resources.forEach((id, r) -> {
                for (String policy : List.of("DeletionPolicy", "UpdateReplacePolicy")) {
                    if (!isRef(r.get(policy), "DataRetentionPolicy")) {
                        problems.add(id + ": " + policy + " must be !Ref DataRetentionPolicy, is " + r.get(policy));
                    }
                }
            });
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theFunctionsJar_carriesNoApiGatewaySdk_itLivesWithTheVerifierInLocalOps() {
        try {
            Class.forName("software.amazon.awssdk.services.apigateway.ApiGatewayClient");
            fail("the API Gateway SDK is on the functions' classpath, so in the deployed jar; only local/ops uses it");
        } catch (ClassNotFoundException expected) {
            // Not a dependency of the functions module.
        }
    }

    /**
     * Every function behind the API times out before API Gateway's 29 s integration timeout, with
     * room to answer: its requests' deadline (shop.platform.deadline.Deadline) is then always the
     * function's own, and a request that cannot finish answers its 503 before either limit.
     */
    @Test
    void everyApiFunction_timesOutBeforeTheGateway() {
        long global = Long.parseLong(String.valueOf(TEMPLATE.globals("Function").get("Timeout")));
        List<String> problems = new ArrayList<>();
        for (var e : TEMPLATE.resourcesOfType(FUNCTION).entrySet()) {
            Map<String, Object> props = Template.map(e.getValue().get("Properties"));
            boolean api = Template.map(props.get("Events")).values().stream()
                    .anyMatch(ev -> "Api".equals(Template.map(ev).get("Type")));
            Object own = props.get("Timeout");
            long timeout = own == null ? global : Long.parseLong(String.valueOf(own));
            long limit = shop.platform.deadline.Deadline.GATEWAY_LIMIT.minus(shop.platform.deadline.Deadline.RESERVE).toSeconds();
            if (api && timeout > limit) {
                problems.add(e.getKey() + " times out after " + timeout + " s, API Gateway after 29 s");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
