package shop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.stack.MotoServer;
import shop.stack.ProjectRoot;
import shop.stack.Template;

/**
 * {@code ./dev deploy}: what it passes to sam deploy, what it refuses, and the parameter values it
 * digests. The stack's current values come from moto_server's CloudFormation, and sam itself is a
 * stand-in script that records its command line (no AWS account here).
 */
class SamDeployTest {
    private static final String SAMCONFIG = """
            version = 0.1
            [default.global.parameters]
            stack_name = "shop-test"
            [default.deploy.parameters]
            region = "us-east-1"
            parameter_overrides = "DeployDigest=\\"\\" DbEndpoint=db.example LockMode=redlock"
            """;

    @TempDir
    Path project;

    @BeforeEach
    void project() throws Exception {
        Files.copy(ProjectRoot.find().resolve("template.yaml"), project.resolve("template.yaml"));
        Files.createDirectories(project.resolve("functions/target"));
        Files.writeString(project.resolve("functions/target/shop-functions.jar"), "jar 1");
        Files.createDirectories(project.resolve("layers/rds-ca-bundle/rds-ca"));
        Files.writeString(project.resolve("layers/rds-ca-bundle/rds-ca/global-bundle.pem"), "ca 1");
        Files.writeString(project.resolve("samconfig.toml"), SAMCONFIG);
    }

    private static SamDeploy.Invocation args(String... args) {
        return SamDeploy.Invocation.parse(List.of(args));
    }

    private SamDeploy.Plan plan(SamDeploy.Invocation inv, Optional<Map<String, String>> deployed) {
        return SamDeploy.plan(project, inv, "sam", stack -> deployed);
    }

    @Test
    void overridesOfSamconfigAndCommandLine_areMerged_andTheDigestIsAppended() {
        SamDeploy.Plan plan = plan(args("--parameter-overrides", "LockMode=db", "AllowedOrigin=\"https://shop.example\"",
                "--no-confirm-changeset"), Optional.empty());

        assertEquals("shop-test", plan.stackName());
        assertEquals(Map.of("DbEndpoint", "db.example", "LockMode", "db", "AllowedOrigin", "https://shop.example"),
                plan.overrides());
        assertEquals(List.of("sam", "deploy", "--no-confirm-changeset", "--template-file",
                project.resolve("template.yaml").toString(), "--parameter-overrides", "DbEndpoint=db.example", "LockMode=db",
                "AllowedOrigin=https://shop.example", "DeployDigest=" + plan.digest().value()), plan.command());
        assertTrue(plan.publishes(), "a new stack publishes its first versions");
    }

    @Test
    void theDigest_coversEffectiveValues_notHowTheyWereGiven() {
        String viaSamconfig = plan(args(), Optional.empty()).digest().value();
        // The same value given on the command line, or kept from the deployed stack, digests the same.
        assertEquals(viaSamconfig, plan(args("--parameter-overrides", "LockMode=redlock"), Optional.empty()).digest().value());
        assertEquals(viaSamconfig, plan(args(), Optional.of(Map.of("LockMode", "db"))).digest().value(),
                "samconfig's LockMode=redlock wins over the deployed db");
        // A value changed on the stack by hand (console, another sam deploy) is what CloudFormation keeps.
        assertNotEquals(viaSamconfig, plan(args(), Optional.of(Map.of("RdsProxy", "true"))).digest().value());
        assertEquals(viaSamconfig, plan(args(), Optional.of(Map.of("RdsProxy", "false"))).digest().value());
    }

    @Test
    void effectiveParameters_overrideThenDeployedThenDefault() {
        Template t = Template.load(project.resolve("template.yaml"));
        Map<String, String> e = SamDeploy.effectiveParameters(t, Map.of("LockMode", "db"),
                Optional.of(Map.of("LockMode", "redlock", "RdsProxy", "true", "DeployDigest", "0123456789")));
        assertEquals("db", e.get("LockMode"));
        assertEquals("true", e.get("RdsProxy"));
        assertEquals("30", e.get("LogRetentionDays"));
        assertEquals("", e.get("DbEndpoint"), "no default, no value: CloudFormation would refuse the deploy");
        assertFalse(e.containsKey("DeployDigest"));
        assertEquals(Template.map(t.root().get("Parameters")).size() - 1, e.size());
    }

    @Test
    void aDeployOfTheDeployedDigest_publishesNothing() {
        String digest = plan(args(), Optional.empty()).digest().value();
        assertFalse(plan(args(), Optional.of(Map.of("DeployDigest", digest))).publishes());
        assertTrue(plan(args(), Optional.of(Map.of("DeployDigest", ""))).publishes());
    }

    @Test
    void guided_anotherTemplate_andAnOwnDigest_areRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> args("--guided")).getMessage().contains("DeployDigest"));
        assertThrows(IllegalArgumentException.class, () -> args("-g"));
        assertThrows(IllegalArgumentException.class, () -> args("--template-file", "other.yaml"));
        assertThrows(IllegalArgumentException.class, () -> args("-t", "other.yaml"));
        assertThrows(IllegalArgumentException.class, () -> args("--parameter-overrides", "DeployDigest=0123456789"));
    }

    @Test
    void aSamconfigThatWouldFreezeAPlainSamDeploy_isRefused() throws Exception {
        Files.writeString(project.resolve("samconfig.toml"), SAMCONFIG.replace("DeployDigest=\\\"\\\" ", "DeployDigest=0a1b2c3d4e "));
        var stale = assertThrows(IllegalArgumentException.class, () -> plan(args(), Optional.empty()));
        assertTrue(stale.getMessage().contains("saves DeployDigest=0a1b2c3d4e"), stale.getMessage());

        Files.writeString(project.resolve("samconfig.toml"), SAMCONFIG.replace("DeployDigest=\\\"\\\" ", ""));
        var missing = assertThrows(IllegalArgumentException.class, () -> plan(args(), Optional.empty()));
        assertTrue(missing.getMessage().contains("has no DeployDigest"), missing.getMessage());

        Files.delete(project.resolve("samconfig.toml"));
        SamDeploy.Plan plan = plan(args("--stack-name", "s"), Optional.empty());
        assertTrue(plan.warnings().getFirst().contains("DeployDigest=\"\""), plan.warnings().toString());
    }

    @Test
    void samconfigOverrides_inEitherForm_andListSyntax_parseAsSamCliDoes() throws Exception {
        assertEquals(Map.of("A", "1", "B", "two words", "C", "", "D", "x=y"),
                SamConfig.parseOverrides("A=1 B=\"two words\" C=\"\" D=x=y"));
        assertEquals(Map.of("A", "1", "B", "b"), SamConfig.parseOverrides(
                "ParameterKey=A,ParameterValue=1 ParameterKey=B,ParameterValue=b"));
        Files.writeString(project.resolve("samconfig.toml"), """
                [prod.deploy.parameters]
                stack_name = "shop-prod"
                parameter_overrides = ["DeployDigest=\\"\\"", "RedisNodes=a:6379,b:6379"]
                """);
        SamConfig c = SamConfig.read(project.resolve("samconfig.toml"), "prod");
        assertEquals(Optional.of("shop-prod"), c.stackName());
        assertEquals(Map.of("DeployDigest", "", "RedisNodes", "a:6379,b:6379"), c.parameterOverrides());
        for (String value : List.of("plain", "two words", "", "it's \"quoted\"", "a,b:1")) {
            assertEquals(Map.of("K", value), SamConfig.parseOverrides("K=" + SamConfig.quote(value)), value);
        }
    }

    @Test
    void run_readsTheStackFromCloudFormation_andRunsSamDeploy_withTheDigest() throws Exception {
        MotoServer moto = MotoServer.shared();
        moto.reset();
        AwsAccess aws = MotoAws.access(moto);
        Path recorded = project.resolve("sam-args.txt");
        Path sam = project.resolve("fake-sam");
        Files.writeString(sam, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + recorded + "'\nexit 3\n");
        Files.setPosixFilePermissions(sam, PosixFilePermissions.fromString("rwx------"));

        try (var cfn = aws.cloudFormation()) {
            assertEquals(Optional.empty(), SamDeploy.deployedParameters(cfn, "shop-test"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = SamDeploy.run(project, args("--no-execute-changeset"), sam.toString(),
                    stack -> SamDeploy.deployedParameters(cfn, stack), new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(3, code, "sam deploy's exit code is ./dev deploy's");
            List<String> argv = Files.readAllLines(recorded);
            String digest = argv.getLast().substring("DeployDigest=".length());
            assertTrue(digest.matches("[0-9a-f]{10}"), argv.toString());
            assertEquals(List.of("deploy", "--no-execute-changeset", "--template-file"), argv.subList(0, 3));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("new stack"), out.toString(StandardCharsets.UTF_8));

            // The stack as that deploy left it; then RdsProxy changed by hand in the console.
            cfn.createStack(b -> b.stackName("shop-test").templateBody("""
                    {"Parameters": {"DeployDigest": {"Type": "String"}, "RdsProxy": {"Type": "String"}},
                     "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}""").parameters(
                    p -> p.parameterKey("DeployDigest").parameterValue(digest),
                    p -> p.parameterKey("RdsProxy").parameterValue("false")));
            out.reset();
            SamDeploy.run(project, args("--dry-run"), sam.toString(), stack -> SamDeploy.deployedParameters(cfn, stack),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("no version is published"), out.toString(StandardCharsets.UTF_8));

            cfn.updateStack(b -> b.stackName("shop-test").usePreviousTemplate(true).parameters(
                    p -> p.parameterKey("DeployDigest").usePreviousValue(true),
                    p -> p.parameterKey("RdsProxy").parameterValue("true")));
            SamDeploy.Plan plan = SamDeploy.plan(project, args(), sam.toString(), stack -> SamDeploy.deployedParameters(cfn, stack));
            assertNotEquals(digest, plan.digest().value(), "the console's RdsProxy=true must reach live at the next deploy");
            assertTrue(plan.publishes());
        }
    }
}
