package shop.ops;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.Yaml;
import shop.stack.Template;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/**
 * Verifier checks one deployed stack's REST API against the project's template.yaml and
 * docs/openapi.yaml: CloudFormation gives the stack's parameters and the API's id, the API Gateway
 * SDK describes the API, and {@link ApiComparison} lists the differences.
 */
public final class Verifier {
    /**
     * Report is what verifying found.
     *
     * @param apiId       the REST API's id, or empty when none was found
     * @param stageUrl    the stage's URL (the stack's ApiUrl output), or empty
     * @param differences every difference, empty when the deployment matches
     */
    public record Report(Optional<String> apiId, Optional<String> stageUrl, List<Difference> differences) {
    }

    private final Template template;
    private final Map<String, Object> openApi;

    public Verifier(Template template, Map<String, Object> openApi) {
        this.template = template;
        this.openApi = openApi;
    }

    /** ofProject reads template.yaml and docs/openapi.yaml under a project root. */
    public static Verifier ofProject(Path root) {
        return new Verifier(Template.load(root.resolve("template.yaml")), yaml(root.resolve("docs/openapi.yaml")));
    }

    /** yaml parses a plain YAML mapping. */
    static Map<String, Object> yaml(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return Template.map(new Yaml().load(reader));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** verify compares the stack's deployed API with the template. */
    public Report verify(CloudFormationClient cfn, ApiGatewayClient apiGateway, String stackName) {
        StackInfo stack = StackInfo.describe(cfn, stackName);
        ExpectedApi expected = ExpectedApi.of(template, openApi, stackName, stack.parameters());
        String apiLogicalId = template.resourcesOfType("AWS::Serverless::Api").keySet().iterator().next();
        ApiGatewayReader reader = new ApiGatewayReader(apiGateway);
        var api = reader.find(Optional.ofNullable(stack.physicalIds().get(apiLogicalId)), expected.apiName());
        if (api.isEmpty()) {
            return new Report(Optional.empty(), stack.output("ApiUrl"), List.of(new Difference("REST API " + expected.apiName(),
                    "missing", "deployed by stack " + stackName, "absent")));
        }
        List<Difference> differences = new ArrayList<>(ApiComparison.compare(expected, reader.read(api.get(),
                expected.stageName())));
        return new Report(Optional.of(api.get().id()), stack.output("ApiUrl"), differences);
    }
}
