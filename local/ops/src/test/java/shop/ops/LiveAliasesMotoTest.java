package shop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.stack.MotoServer;
import shop.stack.ProjectRoot;
import shop.stack.Template;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The verifier's live-alias check against moto_server's CloudFormation and Lambda: the stack holds
 * every function of template.yaml (with the CA layer), each published once behind its live alias,
 * and the verifier finds no difference. Then $LATEST is changed without publishing, as a
 * parameter-only `sam deploy` or a console edit does: a variable of one function, the layer of
 * another, the code of a third; the verifier names exactly those, and none once a version is
 * published and the alias moved. (moto keeps no LoggingConfig, so the log-level case is shown in
 * LiveAliasesTest on model objects.)
 */
class LiveAliasesMotoTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MotoServer moto = MotoServer.shared();
    private final AwsAccess aws = MotoAws.access(moto);
    private final Template template = Template.loadDefault();

    @BeforeEach
    void reset() {
        moto.reset();
    }

    private static byte[] zip(String content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("shop.txt"));
            z.write(content.getBytes());
            z.closeEntry();
        }
        return out.toByteArray();
    }

    /** deploy creates the stack (every template function, as a plain Lambda function) and publishes each behind live. */
    private Map<String, String> deploy(LambdaClient lambda) throws Exception {
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("FunctionRole", Map.of("Type", "AWS::IAM::Role", "Properties", Map.of("AssumeRolePolicyDocument",
                Map.of("Statement", List.of(Map.of("Effect", "Allow", "Principal", Map.of("Service", "lambda.amazonaws.com"),
                        "Action", "sts:AssumeRole"))))));
        // The layer is published first (moto's CloudFormation would read its content from S3).
        byte[] ca = zip("CA 2019");
        String layer = lambda.publishLayerVersion(b -> b.layerName("RdsCaBundleLayer")
                .content(c -> c.zipFile(SdkBytes.fromByteArrayUnsafe(ca)))).layerVersionArn();
        for (String id : template.resourcesOfType("AWS::Serverless::Function").keySet()) {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("Runtime", "java21");
            props.put("Handler", String.valueOf(template.properties(id).get("Handler")));
            props.put("Role", Map.of("Fn::GetAtt", List.of("FunctionRole", "Arn")));
            props.put("Code", Map.of("ZipFile", "jar 1"));
            props.put("MemorySize", 1024);
            props.put("Environment", Map.of("Variables", Map.of("LOCK_MODE", "redlock", "DB_RDS_PROXY", "false")));
            if (template.properties(id).containsKey("Layers")) {
                props.put("Layers", List.of(layer));
            }
            resources.put(id, Map.of("Type", "AWS::Lambda::Function", "Properties", props));
        }
        String body = JSON.writeValueAsString(Map.of("Resources", resources));
        try (var cfn = aws.cloudFormation()) {
            cfn.createStack(b -> b.stackName(Deployments.STACK).templateBody(body));
            Map<String, String> names = new LinkedHashMap<>();
            StackInfo.describe(cfn, Deployments.STACK).physicalIds().forEach((logical, physical) -> {
                if (!logical.equals("FunctionRole")) {
                    names.put(logical, physical);
                }
            });
            names.values().forEach(name -> {
                String version = lambda.publishVersion(b -> b.functionName(name)).version();
                lambda.createAlias(b -> b.functionName(name).name("live").functionVersion(version));
            });
            return names;
        }
    }

    private List<Difference> verify(LambdaClient lambda) {
        try (var cfn = aws.cloudFormation()) {
            return Verifier.ofProject(ProjectRoot.find()).verifyLiveAliases(cfn, lambda, Deployments.STACK);
        }
    }

    @Test
    void aDeployThatPublished_hasNoDrift_andChangesToLatestAlone_areEachListed() throws Exception {
        try (var lambda = aws.lambda()) {
            Map<String, String> names = deploy(lambda);
            assertEquals(template.resourcesOfType("AWS::Serverless::Function").keySet(), names.keySet());
            assertEquals(List.of(), verify(lambda));

            // What a parameter-only deploy without a new version (or a console edit) leaves behind.
            lambda.updateFunctionConfiguration(b -> b.functionName(names.get("CatalogApiFunction"))
                    .environment(e -> e.variables(Map.of("LOCK_MODE", "db", "DB_RDS_PROXY", "false"))));
            byte[] ca = zip("CA 2024");
            String newLayer = lambda.publishLayerVersion(b -> b.layerName("RdsCaBundleLayer")
                    .content(c -> c.zipFile(SdkBytes.fromByteArrayUnsafe(ca)))).layerVersionArn();
            lambda.updateFunctionConfiguration(b -> b.functionName(names.get("HealthFunction")).layers(newLayer));
            byte[] code = zip("jar 2");
            lambda.updateFunctionCode(b -> b.functionName(names.get("InventoryApiFunction"))
                    .zipFile(SdkBytes.fromByteArrayUnsafe(code)));

            List<Difference> drift = verify(lambda);
            assertEquals(List.of(
                    "HealthFunction alias live (version 1): Layers",
                    "CatalogApiFunction alias live (version 1): Environment LOCK_MODE",
                    "InventoryApiFunction alias live (version 1): CodeSha256"),
                    drift.stream().map(d -> d.subject() + ": " + d.problem().substring(0, d.problem().indexOf(" is not"))).toList(),
                    drift.toString());
            assertEquals(List.of("\"db\"", "\"redlock\""), List.of(drift.get(1).expected(), drift.get(1).actual()));

            // What ./dev deploy does: a new version, and the alias moves to it.
            for (String fn : List.of("HealthFunction", "CatalogApiFunction", "InventoryApiFunction")) {
                String version = lambda.publishVersion(b -> b.functionName(names.get(fn))).version();
                lambda.updateAlias(b -> b.functionName(names.get(fn)).name("live").functionVersion(version));
            }
            assertEquals(List.of(), verify(lambda));
        }
    }

    @Test
    void aFunctionWithoutItsLiveAlias_isADifference() throws Exception {
        try (var lambda = aws.lambda()) {
            Map<String, String> names = deploy(lambda);
            lambda.deleteAlias(b -> b.functionName(names.get("UploadsApiFunction")).name("live"));
            assertEquals(List.of(new Difference("UploadsApiFunction", "no live alias: traffic has no published version to reach",
                    "alias live", "absent")), verify(lambda));
        }
    }

}
