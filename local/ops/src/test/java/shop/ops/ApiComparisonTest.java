package shop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.apigateway.model.AccessLogSettings;
import software.amazon.awssdk.services.apigateway.model.Method;
import software.amazon.awssdk.services.apigateway.model.MethodSetting;

/** The comparison rules, on model objects built by hand from the project's own template. */
class ApiComparisonTest {
    private static final ExpectedApi EXPECTED = Deployments.expected();

    private static DeployedApi withMethods(DeployedApi d, java.util.function.Consumer<Map<String, Map<String, Method>>> change) {
        Map<String, Map<String, Method>> methods = new LinkedHashMap<>();
        d.methods().forEach((path, byMethod) -> methods.put(path, new LinkedHashMap<>(byMethod)));
        change.accept(methods);
        return new DeployedApi(d.api(), d.resources(), methods, d.authorizers(), d.stage());
    }

    @Test
    void expectation_readsRoutesAuthorizerAndStageFromTheTemplate() {
        assertEquals("shop-test-api", EXPECTED.apiName());
        assertEquals("prod", EXPECTED.stageName());
        assertEquals(Boolean.TRUE, EXPECTED.routes().get("POST /brands"));
        assertEquals(Boolean.FALSE, EXPECTED.routes().get("GET /goods"));
        assertEquals(Boolean.FALSE, EXPECTED.routes().get("GET /health"));
        assertEquals(200.0, EXPECTED.throttleRate());
        assertEquals(400, EXPECTED.throttleBurst());
        assertEquals("/aws/apigateway/shop-test-access", EXPECTED.accessLogGroupName());
        assertTrue(EXPECTED.accessLogFormat().startsWith("{\"stack\":\"shop-test\",\"requestId\":\"$context.requestId\""),
                EXPECTED.accessLogFormat());
        assertTrue(EXPECTED.tracing());
        assertEquals(new ExpectedApi.Authorizer("JwtAuthorizer", "TOKEN", "method.request.header.Authorization",
                "^Bearer [-0-9a-zA-Z._~+/]+=*$", 300), EXPECTED.authorizer());
        assertTrue(EXPECTED.routes().size() > 30, EXPECTED.routes().keySet().toString());
    }

    @Test
    void aMatchingDeployment_hasNoDifference() {
        assertEquals(List.of(), ApiComparison.compare(EXPECTED, Deployments.matching(EXPECTED)));
    }

    @Test
    void aWriteWithoutTheAuthorizer_isNamed() {
        DeployedApi d = withMethods(Deployments.matching(EXPECTED), m -> m.get("/brands").put("POST",
                Method.builder().httpMethod("POST").authorizationType("NONE").build()));

        assertEquals(List.of(new Difference("POST /brands", "write without the authorizer", "authorizer JwtAuthorizer", "NONE")),
                ApiComparison.compare(EXPECTED, d));
    }

    @Test
    void anotherAuthorizer_onAProtectedRoute_isADifferenceToo() {
        DeployedApi d = withMethods(Deployments.matching(EXPECTED), m -> m.get("/inventory/{goodsId}").put("PUT",
                Method.builder().httpMethod("PUT").authorizationType("CUSTOM").authorizerId("someone-else").build()));

        assertEquals(List.of(new Difference("PUT /inventory/{goodsId}", "write without the authorizer",
                "authorizer JwtAuthorizer", "CUSTOM someone-else")), ApiComparison.compare(EXPECTED, d));
    }

    @Test
    void aMissingRoute_anExtraRoute_andAPublicReadBehindTheAuthorizer_areEachListed() {
        DeployedApi d = withMethods(Deployments.matching(EXPECTED), m -> {
            m.get("/banners/{id}").remove("DELETE");
            m.get("/goods").put("DELETE", Method.builder().httpMethod("DELETE").authorizationType("CUSTOM")
                    .authorizerId(Deployments.AUTHORIZER_ID).build());
            m.get("/goods").put("GET", Method.builder().httpMethod("GET").authorizationType("CUSTOM")
                    .authorizerId(Deployments.AUTHORIZER_ID).build());
            m.get("/health").remove("OPTIONS");
        });

        assertEquals(List.of(
                new Difference("DELETE /banners/{id}", "route missing", "deployed", "absent"),
                new Difference("GET /goods", "public route behind an authorizer", "NONE", "CUSTOM"),
                new Difference("DELETE /goods", "route not in the template", "absent", "deployed"),
                new Difference("OPTIONS /health", "CORS preflight missing", "deployed", "absent")),
                ApiComparison.compare(EXPECTED, d));
    }

    @Test
    void stageThrottlingAccessLogAndTracing_areCompared() {
        DeployedApi m = Deployments.matching(EXPECTED);
        var stage = m.stage().toBuilder()
                .methodSettings(Map.of("*/*", MethodSetting.builder().throttlingRateLimit(50.0).throttlingBurstLimit(400)
                        .metricsEnabled(true).build()))
                .accessLogSettings((AccessLogSettings) null).tracingEnabled(false).build();
        DeployedApi d = new DeployedApi(m.api(), m.resources(), m.methods(), m.authorizers(), stage);

        assertEquals(List.of(
                new Difference("stage prod", "throttling rate limit (requests/s) differs", "200.0", "50.0"),
                new Difference("stage prod", "access log group differs", "/aws/apigateway/shop-test-access", "null"),
                new Difference("stage prod", "access log format differs", EXPECTED.accessLogFormat(), "null"),
                new Difference("stage prod", "X-Ray tracing differs", "true", "false")),
                ApiComparison.compare(EXPECTED, d));
        DeployedApi noStage = new DeployedApi(m.api(), m.resources(), m.methods(), m.authorizers(), null);
        assertEquals(List.of(new Difference("stage prod", "stage missing", "deployed", "absent")),
                ApiComparison.compare(EXPECTED, noStage));
    }

    @Test
    void theAuthorizersSettings_andTheOpenApiDocument_areCompared() {
        DeployedApi m = Deployments.matching(EXPECTED);
        DeployedApi d = new DeployedApi(m.api(), m.resources(), m.methods(), List.of(m.authorizers().getFirst().toBuilder()
                .authorizerResultTtlInSeconds(0).identityValidationExpression(null).build()), m.stage());
        Map<String, Boolean> documented = new LinkedHashMap<>(EXPECTED.documented());
        documented.put("POST /brands", false);
        documented.remove("GET /health");
        ExpectedApi e = new ExpectedApi(EXPECTED.apiName(), EXPECTED.stageName(), EXPECTED.routes(), documented,
                EXPECTED.authorizer(), EXPECTED.throttleRate(), EXPECTED.throttleBurst(), EXPECTED.accessLogGroupName(),
                EXPECTED.accessLogFormat(), EXPECTED.tracing(), EXPECTED.cors());

        assertEquals(List.of(
                new Difference("authorizer JwtAuthorizer", "token validation expression differs", "^Bearer [-0-9a-zA-Z._~+/]+=*$", "null"),
                new Difference("authorizer JwtAuthorizer", "policy cache time (s) differs", "300", "0"),
                new Difference("GET /health", "not in docs/openapi.yaml", "documented", "absent"),
                new Difference("POST /brands", "docs/openapi.yaml disagrees on the bearer token", "security: bearer", "security: []")),
                ApiComparison.compare(e, d));
    }
}
