package shop.ops;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import shop.stack.ProjectRoot;
import software.amazon.awssdk.services.apigateway.model.AccessLogSettings;
import software.amazon.awssdk.services.apigateway.model.Authorizer;
import software.amazon.awssdk.services.apigateway.model.Method;
import software.amazon.awssdk.services.apigateway.model.MethodSetting;
import software.amazon.awssdk.services.apigateway.model.Resource;
import software.amazon.awssdk.services.apigateway.model.RestApi;
import software.amazon.awssdk.services.apigateway.model.Stage;

/** Deployments builds what SAM deploys for the project's template, as the SDK's model objects. */
final class Deployments {
    static final String STACK = "shop-test";
    static final String AUTHORIZER_ID = "auth01";

    private Deployments() {
    }

    /** expected is the project's template and OpenAPI document for stack {@link #STACK} with default parameters. */
    static ExpectedApi expected() {
        Path root = ProjectRoot.find();
        return ExpectedApi.of(shop.stack.Template.load(root.resolve("template.yaml")),
                Verifier.yaml(root.resolve("docs/openapi.yaml")), STACK, Map.of());
    }

    /** paths lists every path of the routes, parents included, sorted. */
    static TreeSet<String> paths(ExpectedApi e) {
        TreeSet<String> paths = new TreeSet<>(List.of("/"));
        for (String route : e.routes().keySet()) {
            String path = route.substring(route.indexOf(' ') + 1);
            for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
                paths.add(path.substring(0, i));
            }
            paths.add(path);
        }
        return paths;
    }

    /** matching is a deployment that agrees with {@code e} in every respect. */
    static DeployedApi matching(ExpectedApi e) {
        List<Resource> resources = new ArrayList<>();
        Map<String, Map<String, Method>> methods = new LinkedHashMap<>();
        int n = 0;
        for (String path : paths(e)) {
            resources.add(Resource.builder().id("r" + n++).path(path).build());
        }
        e.routes().forEach((route, authorized) -> {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            Map<String, Method> byMethod = methods.computeIfAbsent(path, p -> new LinkedHashMap<>());
            byMethod.put(method, authorized
                    ? Method.builder().httpMethod(method).authorizationType("CUSTOM").authorizerId(AUTHORIZER_ID).build()
                    : Method.builder().httpMethod(method).authorizationType("NONE").build());
            byMethod.put("OPTIONS", Method.builder().httpMethod("OPTIONS").authorizationType("NONE").build());
        });
        ExpectedApi.Authorizer a = e.authorizer();
        Authorizer authorizer = Authorizer.builder().id(AUTHORIZER_ID).name(a.name()).type(a.type())
                .identitySource(a.identitySource()).identityValidationExpression(a.validationExpression())
                .authorizerResultTtlInSeconds(a.ttlSeconds()).build();
        Stage stage = Stage.builder().stageName(e.stageName())
                .methodSettings(Map.of("*/*", MethodSetting.builder().throttlingRateLimit(e.throttleRate())
                        .throttlingBurstLimit(e.throttleBurst()).metricsEnabled(true).build()))
                .accessLogSettings(AccessLogSettings.builder().format(e.accessLogFormat())
                        .destinationArn("arn:aws:logs:eu-west-1:123456789012:log-group:" + e.accessLogGroupName()).build())
                .tracingEnabled(e.tracing()).build();
        return new DeployedApi(RestApi.builder().id("api01").name(e.apiName()).build(), resources, methods,
                List.of(authorizer), stage);
    }
}
