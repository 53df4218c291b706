package shop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.AliasRoutingConfiguration;
import software.amazon.awssdk.services.lambda.model.ApplicationLogLevel;
import software.amazon.awssdk.services.lambda.model.EnvironmentResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.SnapStartOptimizationStatus;
import software.amazon.awssdk.services.lambda.model.SnapStartResponse;

/** The comparison of a live alias's version with $LATEST, on hand-built model objects. */
class LiveAliasesTest {
    private static final String SUBJECT = "CatalogApiFunction alias live (version 7)";

    private static FunctionConfiguration.Builder published() {
        return FunctionConfiguration.builder().codeSha256("sha-1").runtime("java25").handler("shop.catalog.CatalogApiHandler::handleRequest")
                .memorySize(1024).timeout(15).description("Catalog REST API 0123456789")
                .layers(Layer.builder().arn("arn:aws:lambda:eu-central-1:123456789012:layer:RdsCaBundleLayer:3").build())
                .environment(EnvironmentResponse.builder().variables(Map.of("LOCK_MODE", "redlock", "DB_PASSWORD", "")).build())
                .loggingConfig(LoggingConfig.builder().logFormat("JSON").applicationLogLevel(ApplicationLogLevel.INFO).build());
    }

    private static List<Difference> compare(FunctionConfiguration latest, FunctionConfiguration live) {
        return LiveAliases.compare("live", new LiveAliases.Observed("CatalogApiFunction", "shop-CatalogApiFunction-1",
                latest, AliasConfiguration.builder().name("live").functionVersion("7").build(), live));
    }

    @Test
    void aVersionPublishedFromLatest_hasNoDifference_whateverItsSnapshotState() {
        FunctionConfiguration latest = published().snapStart(SnapStartResponse.builder().applyOn("PublishedVersions")
                .optimizationStatus(SnapStartOptimizationStatus.OFF).build()).build();
        FunctionConfiguration live = published().snapStart(SnapStartResponse.builder().applyOn("PublishedVersions")
                .optimizationStatus(SnapStartOptimizationStatus.ON).build()).build();
        assertEquals(List.of(), compare(latest, live));
    }

    @Test
    void eachDrift_isListed_codeLayersLogLevelDescriptionAndEachVariable() {
        FunctionConfiguration live = published().build();
        FunctionConfiguration latest = published().codeSha256("sha-2")
                .layers(Layer.builder().arn("arn:aws:lambda:eu-central-1:123456789012:layer:RdsCaBundleLayer:4").build())
                .loggingConfig(LoggingConfig.builder().logFormat("JSON").applicationLogLevel(ApplicationLogLevel.DEBUG).build())
                .description("Catalog REST API 9876543210")
                .environment(EnvironmentResponse.builder().variables(Map.of("LOCK_MODE", "db", "DB_PASSWORD", "s3cret",
                        "NEW_ONE", "x")).build())
                .build();

        assertEquals(List.of(
                new Difference(SUBJECT, "CodeSha256 is not $LATEST's: the change never reached live traffic", "sha-2", "sha-1"),
                new Difference(SUBJECT, "Layers is not $LATEST's: the change never reached live traffic",
                        "[arn:aws:lambda:eu-central-1:123456789012:layer:RdsCaBundleLayer:4]",
                        "[arn:aws:lambda:eu-central-1:123456789012:layer:RdsCaBundleLayer:3]"),
                new Difference(SUBJECT, "LoggingConfig is not $LATEST's: the change never reached live traffic",
                        "[JSON, DEBUG, null, null]", "[JSON, INFO, null, null]"),
                new Difference(SUBJECT, "Description is not $LATEST's: the change never reached live traffic",
                        "Catalog REST API 9876543210", "Catalog REST API 0123456789"),
                new Difference(SUBJECT, "Environment DB_PASSWORD is not $LATEST's: the change never reached live traffic",
                        "(hidden, 6 characters)", "(hidden, 0 characters)"),
                new Difference(SUBJECT, "Environment LOCK_MODE is not $LATEST's: the change never reached live traffic",
                        "\"db\"", "\"redlock\""),
                new Difference(SUBJECT, "Environment NEW_ONE is not $LATEST's: the change never reached live traffic",
                        "\"x\"", "unset")),
                compare(latest, live));
    }

    @Test
    void aMissingFunction_aMissingAlias_andWeightedRouting_areDifferences() {
        assertEquals(List.of(new Difference("HealthFunction", "function missing", "deployed by the stack", "not in the stack")),
                LiveAliases.compare("live", new LiveAliases.Observed("HealthFunction", null, null, null, null)));
        assertEquals(List.of(new Difference("HealthFunction", "no live alias: traffic has no published version to reach",
                        "alias live", "absent")),
                LiveAliases.compare("live", new LiveAliases.Observed("HealthFunction", "h", published().build(), null, null)));
        AliasConfiguration canary = AliasConfiguration.builder().name("live").functionVersion("7")
                .routingConfig(AliasRoutingConfiguration.builder().additionalVersionWeights(Map.of("8", 0.1)).build()).build();
        assertEquals(List.of(new Difference(SUBJECT, "part of live traffic goes to another version", "all to one version",
                        "{8=0.1}")),
                LiveAliases.compare("live", new LiveAliases.Observed("CatalogApiFunction", "c", published().build(), canary,
                        published().build())));
    }
}
