package shop.ops;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.apigateway.model.Authorizer;
import software.amazon.awssdk.services.apigateway.model.Method;
import software.amazon.awssdk.services.apigateway.model.Resource;
import software.amazon.awssdk.services.apigateway.model.RestApi;
import software.amazon.awssdk.services.apigateway.model.Stage;

/**
 * DeployedApi is a REST API as API Gateway describes it, in the SDK's own model objects: the API,
 * its resources, each resource's methods (by path, then HTTP method), its authorizers and the stage.
 *
 * @param api         the REST API
 * @param resources   every resource (path) of the API
 * @param methods     path to HTTP method to the method's full description (GetMethod)
 * @param authorizers the API's authorizers
 * @param stage       the stage, or null when it does not exist
 */
public record DeployedApi(RestApi api, List<Resource> resources, Map<String, Map<String, Method>> methods,
                          List<Authorizer> authorizers, Stage stage) {
    public DeployedApi {
        resources = List.copyOf(resources);
        methods = Map.copyOf(methods);
        authorizers = List.copyOf(authorizers);
    }
}
