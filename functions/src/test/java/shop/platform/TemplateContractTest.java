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
        overrides.put("DB_USER", stack.endpoints().dbUser());
        overrides.put("DB_PASSWORD", stack.endpoints().dbPassword());
        overrides.put("JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json");
        overrides.put("PUBLIC_IMAGE_BASE_URL", stack.endpoints().s3Endpoint() + "/" + stack.resources().name("ImagesBucket"));
        Map<String, String> parameters = Map.of("DbEndpoint", "127.0.0.1", "DbSecretArn", "", "RedisNodes",
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
