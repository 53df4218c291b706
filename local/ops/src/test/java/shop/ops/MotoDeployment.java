package shop.ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.apigateway.model.Op;
import software.amazon.awssdk.services.apigateway.model.PatchOperation;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/**
 * MotoDeployment stands the project's stack up in moto through the SDK's create calls, as SAM
 * would deploy template.yaml: a CloudFormation stack with the template's parameters and outputs,
 * and the REST API with every resource, method (CUSTOM with the JWT authorizer or NONE), CORS
 * preflight, the authorizer and the stage's throttling, access log and tracing.
 */
final class MotoDeployment {
    final String apiId;
    final Map<String, String> resourceIds;
    final ApiGatewayClient apigw;

    private MotoDeployment(String apiId, Map<String, String> resourceIds, ApiGatewayClient apigw) {
        this.apiId = apiId;
        this.resourceIds = resourceIds;
        this.apigw = apigw;
    }

    static MotoDeployment deploy(ExpectedApi e, CloudFormationClient cfn, ApiGatewayClient apigw, String stageUrl) {
        cfn.createStack(b -> b.stackName(Deployments.STACK).templateBody("""
                {"Parameters": {"StageName": {"Type": "String"}, "ThrottleRateLimit": {"Type": "String"},
                                "ThrottleBurstLimit": {"Type": "String"}},
                 "Resources": {"FailedEventsQueue": {"Type": "AWS::SQS::Queue"}},
                 "Outputs": {"ApiUrl": {"Value": "%s"}, "FailedEventsQueueUrl": {"Value": {"Ref": "FailedEventsQueue"}}}}
                """.formatted(stageUrl)).parameters(
                p -> p.parameterKey("StageName").parameterValue(e.stageName()),
                p -> p.parameterKey("ThrottleRateLimit").parameterValue(Long.toString((long) e.throttleRate())),
                p -> p.parameterKey("ThrottleBurstLimit").parameterValue(Integer.toString(e.throttleBurst()))));

        String apiId = apigw.createRestApi(b -> b.name(e.apiName())).id();
        Map<String, String> ids = new HashMap<>();
        ids.put("/", apigw.getResources(b -> b.restApiId(apiId)).items().stream().filter(r -> r.path().equals("/"))
                .findFirst().orElseThrow().id());
        for (String path : Deployments.paths(e)) {
            if (path.equals("/")) {
                continue;
            }
            String parent = path.substring(0, path.lastIndexOf('/'));
            String part = path.substring(path.lastIndexOf('/') + 1);
            ids.put(path, apigw.createResource(b -> b.restApiId(apiId).parentId(ids.get(parent.isEmpty() ? "/" : parent))
                    .pathPart(part)).id());
        }
        ExpectedApi.Authorizer a = e.authorizer();
        String authorizerId = apigw.createAuthorizer(b -> b.restApiId(apiId).name(a.name()).type(a.type())
                .authorizerUri("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                        + "arn:aws:lambda:us-east-1:123456789012:function:authorizer/invocations")
                .identitySource(a.identitySource()).identityValidationExpression(a.validationExpression())
                .authorizerResultTtlInSeconds(a.ttlSeconds())).id();
        // moto 5.2.1's CreateAuthorizer drops identityValidationExpression; its UpdateAuthorizer keeps it.
        apigw.updateAuthorizer(b -> b.restApiId(apiId).authorizerId(authorizerId)
                .patchOperations(replace("/identityValidationExpression", a.validationExpression())));
        e.routes().forEach((route, authorized) -> {
            String method = route.substring(0, route.indexOf(' '));
            String resource = ids.get(route.substring(route.indexOf(' ') + 1));
            apigw.putMethod(b -> {
                b.restApiId(apiId).resourceId(resource).httpMethod(method);
                if (authorized) {
                    b.authorizationType("CUSTOM").authorizerId(authorizerId);
                } else {
                    b.authorizationType("NONE");
                }
            });
            apigw.putIntegration(b -> b.restApiId(apiId).resourceId(resource).httpMethod(method).type("AWS_PROXY")
                    .integrationHttpMethod("POST").uri("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                            + "arn:aws:lambda:us-east-1:123456789012:function:handler:live/invocations"));
        });
        e.routes().keySet().stream().map(r -> r.substring(r.indexOf(' ') + 1)).distinct().forEach(path -> {
            apigw.putMethod(b -> b.restApiId(apiId).resourceId(ids.get(path)).httpMethod("OPTIONS").authorizationType("NONE"));
            apigw.putIntegration(b -> b.restApiId(apiId).resourceId(ids.get(path)).httpMethod("OPTIONS").type("MOCK"));
        });
        apigw.createDeployment(b -> b.restApiId(apiId).stageName(e.stageName()));
        apigw.updateStage(b -> b.restApiId(apiId).stageName(e.stageName()).patchOperations(List.of(
                replace("/*/*/throttling/rateLimit", Double.toString(e.throttleRate())),
                replace("/*/*/throttling/burstLimit", Integer.toString(e.throttleBurst())),
                replace("/*/*/metrics/enabled", "true"),
                replace("/tracingEnabled", Boolean.toString(e.tracing())),
                replace("/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:123456789012:log-group:"
                        + e.accessLogGroupName()),
                replace("/accessLogSettings/format", e.accessLogFormat()))));
        return new MotoDeployment(apiId, ids, apigw);
    }

    static PatchOperation replace(String path, String value) {
        return PatchOperation.builder().op(Op.REPLACE).path(path).value(value).build();
    }
}
