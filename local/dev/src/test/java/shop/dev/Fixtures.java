package shop.dev;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import shop.stack.Template;

/** Fixtures builds the runner's parts from the real template.yaml, without the local stack. */
final class Fixtures {
    static final Template TEMPLATE = Template.loadDefault();

    private Fixtures() {
    }

    static Intrinsics intrinsics() {
        return new Intrinsics(TEMPLATE, Map.of());
    }

    static ApiConfig api() {
        return ApiConfig.fromTemplate(TEMPLATE, "ShopApi", intrinsics());
    }

    static ApiRoutes routes() {
        return ApiRoutes.fromTemplate(TEMPLATE, api());
    }

    /**
     * realApp starts the runner with the template's real functions over the shared local stack, in a
     * project root of its own (its failed-events store and signing key stay there), with short retries.
     */
    static DevApp realApp(java.nio.file.Path root, boolean sampleData) throws java.io.IOException {
        java.nio.file.Files.copy(shop.stack.ProjectRoot.find().resolve("template.yaml"), root.resolve("template.yaml"));
        java.nio.file.Files.createDirectories(root.resolve("admin"));
        shop.stack.LocalStack stack = shop.stack.LocalStack.shared();
        DevApp.prepareDatabase(stack, sampleData);
        return DevApp.start(stack, new DevApp.Options(0, root, DevApp.Options.defaults(root).keyFile(), java.util.Optional.empty(),
                java.time.Duration.ofMillis(200), List.of(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(200)),
                Map.of(), Map.of("LOCK_MODE", "rowlock"), Map.of(), Map.of()));
    }

    /** adminToken mints a ten-minute admin token with the signing key of a runner's root. */
    static String adminToken(java.nio.file.Path root, String subject) {
        return SigningKey.loadOrCreate(DevApp.Options.defaults(root).keyFile()).mint("admin", subject,
                java.time.Duration.ofMinutes(10), java.time.Instant.now());
    }

    /** functions gives every template function an empty environment and the handlers named here. */
    static LambdaFunctions functions(Map<String, String> handlers) {
        Map<String, FunctionSpec> specs = new LinkedHashMap<>();
        TEMPLATE.resourcesOfType("AWS::Serverless::Function").forEach((id, resource) -> {
            Map<String, Object> props = Template.map(resource.get("Properties"));
            String[] handler = String.valueOf(props.get("Handler")).split("::");
            FunctionSpec spec = new FunctionSpec(id, handler[0], handler[1],
                    props.get("MemorySize") instanceof Number n ? n.intValue() : 1024,
                    props.get("Timeout") instanceof Number n ? n.intValue() : 15, Map.of(), null);
            specs.put(id, handlers.containsKey(id) ? spec.withHandler(handlers.get(id)) : spec);
        });
        return new LambdaFunctions(specs, Fixtures.class.getClassLoader());
    }

    static ApiGateway gateway(Map<String, String> handlers) {
        ApiConfig api = api();
        return new ApiGateway(api, ApiRoutes.fromTemplate(TEMPLATE, api), functions(handlers), Clock.systemUTC());
    }

    static HttpCall call(String method, String path, Map<String, String> headers) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("Host", List.of("localhost:3000"));
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        int q = path.indexOf('?');
        return new HttpCall(method, q < 0 ? path : path.substring(0, q), q < 0 ? null : path.substring(q + 1), h,
                new byte[0], "127.0.0.1");
    }
}
