package shop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.stack.ProjectRoot;

/**
 * The verifier's SDK calls against API Gateway's emulation in moto_server: the template's API is
 * created there through the SDK, the verifier finds it from the stack's name and reports no
 * difference; then a write loses its authorizer, a route goes and the stage gets another throttle,
 * and the verifier names exactly those three.
 */
class VerifierMotoTest {
    private static final String STAGE_URL = "https://api01.execute-api.us-east-1.amazonaws.com/prod";
    private final MotoServer moto = MotoServer.get();
    private final AwsAccess aws = moto.aws();
    private final ExpectedApi expected = Deployments.expected();

    @BeforeEach
    void reset() {
        moto.reset();
    }

    private Verifier.Report verify() {
        try (var cfn = aws.cloudFormation(); var apigw = aws.apiGateway()) {
            return Verifier.ofProject(ProjectRoot.find()).verify(cfn, apigw, Deployments.STACK);
        }
    }

    @Test
    void theTemplatesApi_deployedAsSamDeploysIt_hasNoDifference() {
        MotoDeployment d;
        try (var cfn = aws.cloudFormation(); var apigw = aws.apiGateway()) {
            d = MotoDeployment.deploy(expected, cfn, apigw, STAGE_URL);
        }

        Verifier.Report report = verify();

        assertEquals(Optional.of(d.apiId), report.apiId());
        assertEquals(Optional.of(STAGE_URL), report.stageUrl());
        assertEquals(List.of(), report.differences());
    }

    @Test
    void aWriteWithoutTheAuthorizer_aMissingRoute_andAnotherThrottle_areEachFound() {
        try (var cfn = aws.cloudFormation(); var apigw = aws.apiGateway()) {
            MotoDeployment d = MotoDeployment.deploy(expected, cfn, apigw, STAGE_URL);
            // Put again without the authorizer (moto has no UpdateMethod; a PutMethod replaces the method).
            apigw.putMethod(b -> b.restApiId(d.apiId).resourceId(d.resourceIds.get("/brands")).httpMethod("POST")
                    .authorizationType("NONE"));
            apigw.deleteMethod(b -> b.restApiId(d.apiId).resourceId(d.resourceIds.get("/banners/{id}")).httpMethod("DELETE"));
            apigw.updateStage(b -> b.restApiId(d.apiId).stageName("prod").patchOperations(
                    MotoDeployment.replace("/*/*/throttling/rateLimit", "1000")));
        }

        List<Difference> differences = verify().differences();

        assertEquals(List.of(
                new Difference("DELETE /banners/{id}", "route missing", "deployed", "absent"),
                new Difference("POST /brands", "write without the authorizer", "authorizer JwtAuthorizer", "NONE"),
                new Difference("stage prod", "throttling rate limit (requests/s) differs", "200.0", "1000.0")),
                differences);
    }

    @Test
    void aStackWithoutItsApi_isOneDifference() {
        try (var cfn = aws.cloudFormation(); var apigw = aws.apiGateway()) {
            MotoDeployment d = MotoDeployment.deploy(expected, cfn, apigw, STAGE_URL);
            apigw.deleteRestApi(b -> b.restApiId(d.apiId));
        }

        assertEquals(List.of(new Difference("REST API shop-test-api", "missing", "deployed by stack shop-test", "absent")),
                verify().differences());
    }
}
