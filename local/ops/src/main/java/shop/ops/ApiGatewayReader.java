package shop.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.apigateway.model.Authorizer;
import software.amazon.awssdk.services.apigateway.model.Method;
import software.amazon.awssdk.services.apigateway.model.NotFoundException;
import software.amazon.awssdk.services.apigateway.model.Resource;
import software.amazon.awssdk.services.apigateway.model.RestApi;
import software.amazon.awssdk.services.apigateway.model.Stage;

/**
 * ApiGatewayReader reads a deployed REST API through the API Gateway SDK into a {@link DeployedApi}:
 * GetRestApis (or the id CloudFormation gives), GetResources, GetMethod for every method (the
 * authorization lives there), GetAuthorizers and GetStage.
 */
public final class ApiGatewayReader {
    private final ApiGatewayClient client;

    public ApiGatewayReader(ApiGatewayClient client) {
        this.client = client;
    }

    /** find looks a REST API up by id when given, else by its name; empty when there is none. */
    public Optional<RestApi> find(Optional<String> id, String name) {
        if (id.isPresent()) {
            try {
                var api = client.getRestApi(b -> b.restApiId(id.get()));
                return Optional.of(RestApi.builder().id(api.id()).name(api.name()).build());
            } catch (NotFoundException e) {
                return Optional.empty();
            }
        }
        List<RestApi> named = client.getRestApisPaginator(b -> b.limit(500)).items().stream()
                .filter(api -> name.equals(api.name())).toList();
        if (named.size() > 1) {
            throw new IllegalStateException(named.size() + " REST APIs are named " + name + ": " + named.stream()
                    .map(RestApi::id).toList() + "; pass the stack whose ShopApi resource names one");
        }
        return named.stream().findFirst();
    }

    /** read describes the API and one stage (null in the result when the stage does not exist). */
    public DeployedApi read(RestApi api, String stageName) {
        List<Resource> resources = new ArrayList<>();
        client.getResourcesPaginator(b -> b.restApiId(api.id()).limit(500)).items().forEach(resources::add);
        Map<String, Map<String, Method>> methods = new LinkedHashMap<>();
        for (Resource resource : resources) {
            Map<String, Method> byMethod = new LinkedHashMap<>();
            for (String httpMethod : resource.resourceMethods().keySet()) {
                var m = client.getMethod(b -> b.restApiId(api.id()).resourceId(resource.id()).httpMethod(httpMethod));
                byMethod.put(httpMethod, Method.builder().httpMethod(m.httpMethod()).authorizationType(m.authorizationType())
                        .authorizerId(m.authorizerId()).apiKeyRequired(m.apiKeyRequired()).build());
            }
            if (!byMethod.isEmpty()) {
                methods.put(resource.path(), byMethod);
            }
        }
        List<Authorizer> authorizers = client.getAuthorizers(b -> b.restApiId(api.id()).limit(500)).items();
        Stage stage;
        try {
            var s = client.getStage(b -> b.restApiId(api.id()).stageName(stageName));
            stage = Stage.builder().stageName(s.stageName()).deploymentId(s.deploymentId()).methodSettings(s.methodSettings())
                    .accessLogSettings(s.accessLogSettings()).tracingEnabled(s.tracingEnabled()).build();
        } catch (NotFoundException e) {
            stage = null;
        }
        return new DeployedApi(api, resources, methods, authorizers, stage);
    }
}
