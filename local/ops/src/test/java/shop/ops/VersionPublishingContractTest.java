package shop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.stack.ProjectRoot;
import shop.stack.Template;

/**
 * What a deploy publishes, on the template SAM deploys: the project's template.yaml is transformed
 * by the official SAM translator (as CloudFormation's AWS::Serverless transform does at deploy
 * time) with the {@link DeployDigest} that {@code ./dev deploy} computes, and the logical id of each
 * function's AWS::Lambda::Version is compared between deploys. CloudFormation publishes a version
 * (a SnapStart snapshot) and moves the live alias exactly when that id changes.
 *
 * <p>Deploys with ./dev deploy: a code-only, a layer-only, a template-only and each parameter-only
 * change (RdsProxy, AllowedOrigin, LockMode, DbSecretArn, LogLevel) move every function; a deploy that changes
 * nothing, or only a comment, moves none. A plain {@code sam deploy} (DeployDigest "" from
 * samconfig.toml) falls back to SAM's own hash: code and layer changes still move the versions
 * (never frozen), a parameter-only change does not (what docs/deploy.md warns about).
 *
 * <p>Each scenario works on a copy of the project's template in a temporary folder, with stand-in
 * artifacts at the paths the template names (the translator never reads them; the digest does).
 */
class VersionPublishingContractTest {
    private static final String JAR = "functions/target/shop-functions.jar";
    private static final String LAYER = "layers/rds-ca-bundle/";
    private static final String CA_FILE = "layers/rds-ca-bundle/rds-ca/global-bundle.pem";

    @TempDir
    static Path project;
    private static Map<String, String> stack;
    private static Map<String, Map<String, SamTranslator.Published>> published;
    private static final Map<String, String> DIGESTS = new LinkedHashMap<>();

    /** The values a real stack has for the parameters without a default; the rest keep theirs. */
    private static Map<String, String> stackParameters(Template template) {
        Map<String, String> given = new TreeMap<>(Map.of(
                "SubnetIds", "subnet-0a1,subnet-0b2", "SecurityGroupIds", "sg-0c3", "DbEndpoint", "shop.cluster.rds.example",
                "DbSecretArn", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop-app-AbCdEf",
                "DbMigrationSecretArn", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop-migrate-AbCdEf",
                "RedisNodes", "r1.cache.example:6379,r2.cache.example:6379,r3.cache.example:6379",
                "JwtIssuer", "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example",
                "JwtAudience", "client-1", "JwksUrl", "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example/.well-known/jwks.json"));
        return SamDeploy.effectiveParameters(template, given, Optional.empty());
    }

    private static final List<SamTranslator.Scenario> SCENARIOS = new ArrayList<>();

    /** deploy records a deploy of the temporary project as it stands, with or without ./dev deploy's digest. */
    private static void deploy(String name, Map<String, String> changes, boolean withDigest) throws Exception {
        Map<String, String> parameters = new TreeMap<>(stack);
        parameters.putAll(changes);
        Path template = project.resolve("template.yaml");
        String digest = withDigest ? DeployDigest.compute(template, parameters).value() : "";
        DIGESTS.put(name, digest);
        Map<String, String> cfn = new TreeMap<>(parameters);
        cfn.put(DeployDigest.PARAMETER, digest);
        // sam package names each uploaded object by a hash of its content.
        Map<String, String> artifacts = Map.of(
                JAR, "s3://shop-artifacts/shop-backend/" + md5(Files.readAllBytes(project.resolve(JAR))),
                LAYER, "s3://shop-artifacts/shop-backend/" + DeployDigest.treeHash(project.resolve(LAYER)).substring(0, 32));
        // This deploy's own copy of the template (the translator runs after every scenario is set up).
        Path copy = project.resolve("deploys/" + SCENARIOS.size() + ".yaml");
        Files.createDirectories(copy.getParent());
        Files.copy(template, copy);
        SCENARIOS.add(new SamTranslator.Scenario(name, copy, cfn, artifacts));
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private static void write(String path, String content) throws Exception {
        Path p = project.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    @BeforeAll
    static void deployEachChange() throws Exception {
        Path root = ProjectRoot.find();
        Files.copy(root.resolve("template.yaml"), project.resolve("template.yaml"));
        stack = stackParameters(Template.load(project.resolve("template.yaml")));
        write(JAR, "jar, build 1");
        write(CA_FILE, "-----BEGIN CERTIFICATE-----\nCA 2019\n-----END CERTIFICATE-----\n");
        write("layers/rds-ca-bundle/rds-ca/README.md", "where the bundle comes from");

        // ./dev deploy
        deploy("baseline", Map.of(), true);
        deploy("unchanged", Map.of(), true);
        deploy("RdsProxy", Map.of("RdsProxy", "true"), true);
        deploy("AllowedOrigin", Map.of("AllowedOrigin", "https://shop.example"), true);
        deploy("LockMode", Map.of("LockMode", "db"), true);
        deploy("DbSecretArn", Map.of("DbSecretArn", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop-app-2-XyZ"), true);
        deploy("LogLevel", Map.of("LogLevel", "DEBUG"), true);
        write(JAR, "jar, build 2");
        deploy("code", Map.of(), true);
        write(JAR, "jar, build 1");
        write(CA_FILE, "-----BEGIN CERTIFICATE-----\nCA 2024\n-----END CERTIFICATE-----\n");
        deploy("layer", Map.of(), true);
        write(CA_FILE, "-----BEGIN CERTIFICATE-----\nCA 2019\n-----END CERTIFICATE-----\n");
        String original = Files.readString(project.resolve("template.yaml"));
        Files.writeString(project.resolve("template.yaml"), original.replace("\nResources:\n",
                "\n# a comment-only edit\nResources:\n"));
        deploy("comment", Map.of(), true);
        Files.writeString(project.resolve("template.yaml"), original.replace("    MemorySize: 1024\n", "    MemorySize: 1536\n"));
        deploy("template", Map.of(), true);
        Files.writeString(project.resolve("template.yaml"), original);

        // plain sam deploy: samconfig.toml's DeployDigest=""
        deploy("plain", Map.of(), false);
        deploy("plain RdsProxy", Map.of("RdsProxy", "true"), false);
        write(JAR, "jar, build 2");
        deploy("plain code", Map.of(), false);
        write(JAR, "jar, build 1");
        write(CA_FILE, "-----BEGIN CERTIFICATE-----\nCA 2024\n-----END CERTIFICATE-----\n");
        deploy("plain layer", Map.of(), false);

        published = SamTranslator.versions(SCENARIOS);
    }

    private static Map<String, String> versions(String scenario) {
        Map<String, String> out = new TreeMap<>();
        published.get(scenario).forEach((fn, p) -> out.put(fn, p.version()));
        return out;
    }

    /** moved names the functions whose version differs between two deploys. */
    private static Set<String> moved(String before, String after) {
        Map<String, String> a = versions(before);
        Map<String, String> b = versions(after);
        assertEquals(a.keySet(), b.keySet());
        Set<String> out = new TreeSet<>();
        a.forEach((fn, v) -> {
            if (!v.equals(b.get(fn))) {
                out.add(fn);
            }
        });
        return out;
    }

    private static Set<String> allFunctions() {
        return new TreeSet<>(Template.load(project.resolve("template.yaml"))
                .resourcesOfType("AWS::Serverless::Function").keySet());
    }

    @Test
    void everyFunction_publishesAVersionBehindAnAlias() {
        assertEquals(allFunctions(), versions("baseline").keySet());
    }

    @Test
    void aDeployThatChangesNothing_publishesNothing() {
        assertEquals(DIGESTS.get("baseline"), DIGESTS.get("unchanged"));
        assertEquals(Set.of(), moved("baseline", "unchanged"));
    }

    @Test
    void aParameterOnlyDeploy_movesEveryFunction() {
        for (String parameter : List.of("RdsProxy", "AllowedOrigin", "LockMode", "DbSecretArn", "LogLevel")) {
            assertEquals(allFunctions(), moved("baseline", parameter),
                    parameter + " changed and these functions would keep serving the old value through live");
        }
    }

    @Test
    void aCodeOnlyDeploy_movesEveryFunction() {
        assertEquals(allFunctions(), moved("baseline", "code"));
    }

    @Test
    void aLayerOnlyDeploy_movesEveryFunction() {
        assertEquals(allFunctions(), moved("baseline", "layer"), "a new RDS CA bundle must reach live traffic");
    }

    @Test
    void aTemplateChange_movesEveryFunction_butACommentDoesNot() {
        assertEquals(allFunctions(), moved("baseline", "template"));
        assertEquals(Set.of(), moved("baseline", "comment"));
    }

    @Test
    void aPlainSamDeploy_withSamconfigsEmptyDigest_stillPublishesCodeAndLayerChanges() {
        assertEquals(allFunctions(), moved("plain", "plain code"), "code changes are never frozen out of live");
        Set<String> layered = new TreeSet<>();
        Template t = Template.load(project.resolve("template.yaml"));
        allFunctions().forEach(fn -> {
            if (t.properties(fn).containsKey("Layers")) {
                layered.add(fn);
            }
        });
        assertTrue(layered.size() >= 8, layered.toString());
        assertEquals(layered, moved("plain", "plain layer"), "PublishLambdaVersion: every function with the layer moves");
    }

    @Test
    void aPlainSamDeploy_ofAParameterOnlyChange_publishesNothing_whichIsWhyDeploysGoThroughDevDeploy() {
        assertEquals(Set.of(), moved("plain", "plain RdsProxy"));
    }

    @Test
    void theDigestIsWhatSamNamesTheVersionsBy_andFitsLambdasDescriptionLimit() {
        String digest = DIGESTS.get("baseline");
        assertTrue(digest.matches("[0-9a-f]{10}"), digest);
        published.get("baseline").forEach((fn, p) -> {
            assertEquals(fn + "Version" + digest, p.version());
            assertTrue(p.description().endsWith(" " + digest), p.description());
            assertTrue(p.description().length() <= 256, fn + ": Lambda refuses a description over 256 characters");
        });
    }

    @Test
    void everyParameterValue_entersTheDigest() throws Exception {
        Path template = project.resolve("template.yaml");
        String base = DeployDigest.compute(template, stack).value();
        for (String name : stack.keySet()) {
            Map<String, String> changed = new TreeMap<>(stack);
            changed.put(name, stack.get(name) + "1");
            assertNotEquals(base, DeployDigest.compute(template, changed).value(), name + " does not enter the digest");
        }
        Map<String, String> withOwnDigest = new TreeMap<>(stack);
        withOwnDigest.put(DeployDigest.PARAMETER, "0123456789");
        assertEquals(base, DeployDigest.compute(template, withOwnDigest).value(), "the digest does not digest itself");
    }
}
