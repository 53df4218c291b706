package shop.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.RequestHandler;
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
import shop.stack.FunctionEnvironment;
import shop.stack.LocalStack;
import shop.stack.ProjectRoot;
import shop.stack.Provisioner;
import shop.stack.Template;
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
        assertEquals("AWS::Serverless-2016-10-31", TEMPLATE.root().get("Transform"));
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
        Map<String, String> parameters = Map.of("DbEndpoint", "127.0.0.1", "DbSecretArn", "", "DbMigrationSecretArn", "",
                "RedisAuthSecretArn", "none", "RedisNodes",
                String.join(",", stack.endpoints().redisNodes()), "JwtIssuer", "shop-local", "JwksUrl",
                "http://127.0.0.1:9/.well-known/jwks.json");
        Set<String> allowedWithoutTemplate = new HashSet<>(FunctionEnvironment.RUNTIME_PROVIDED);
        allowedWithoutTemplate.addAll(FunctionEnvironment.LOCAL_ONLY);
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
