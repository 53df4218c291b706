package shop.platform.aws;

import java.time.Duration;
import shop.platform.config.AwsConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * AwsClients builds the SDK clients once per execution environment, with the region and the
 * URL-connection HTTP client set explicitly (it starts faster than Apache's or Netty's), and the
 * local endpoints where the configuration names them. Every client
 * <ul>
 *   <li>ends each call made during an API request by the request's deadline ({@link SdkDeadline});</li>
 *   <li>has finite timeouts of its own for calls outside a request (upload completion, health probes),
 *       {@link Timeouts}: the SDK's defaults have no call time-out at all and a 30 s socket read;</li>
 *   <li>retries in the SDK's standard mode with SnapStart-safe jitter ({@link SnapshotSafeRetries}).</li>
 * </ul>
 */
public final class AwsClients {
    /** S3_TIMEOUTS: ranged reads, copies and deletes of objects up to the upload limit. */
    public static final Timeouts S3_TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(20));
    /** DYNAMODB_TIMEOUTS: single-item reads and conditional writes, milliseconds when healthy. */
    public static final Timeouts DYNAMODB_TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(3),
            Duration.ofSeconds(3), Duration.ofSeconds(8));
    /** SECRETS_TIMEOUTS: one GetSecretValue. */
    public static final Timeouts SECRETS_TIMEOUTS = DYNAMODB_TIMEOUTS;

    private AwsClients() {
    }

    /**
     * Timeouts of a client, each finite. A call that outlives {@code call} fails, retries and back-off
     * included; an attempt that outlives {@code attempt} is retried while the call has time.
     *
     * @param connect TCP connect
     * @param read    the socket's wait for the next bytes
     * @param attempt one HTTP attempt (the SDK's {@code apiCallAttemptTimeout})
     * @param call    the whole call (the SDK's {@code apiCallTimeout}); during a request the time
     *                left, when shorter
     */
    public record Timeouts(Duration connect, Duration read, Duration attempt, Duration call) {
    }

    /** s3 returns an S3 client; path-style when pointed at a local stand-in. */
    public static S3Client s3(AwsConfig cfg) {
        var builder = configure(S3Client.builder(), cfg, S3_TIMEOUTS, SnapshotSafeRetries.standard());
        cfg.s3Endpoint().ifPresent(uri -> builder.endpointOverride(uri).forcePathStyle(true));
        return builder.build();
    }

    /** presigner returns an S3 presigner matching {@link #s3}. */
    public static S3Presigner presigner(AwsConfig cfg) {
        var builder = S3Presigner.builder().region(Region.of(cfg.region())).credentialsProvider(credentials(cfg));
        cfg.s3Endpoint().ifPresent(uri -> builder.endpointOverride(uri)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        return builder.build();
    }

    /** dynamo returns a DynamoDB client. */
    public static DynamoDbClient dynamo(AwsConfig cfg) {
        var builder = configure(DynamoDbClient.builder(), cfg, DYNAMODB_TIMEOUTS, SnapshotSafeRetries.dynamoDb());
        cfg.dynamoEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** secrets returns a Secrets Manager client; pointed at a local emulator where the configuration says. */
    public static SecretsManagerClient secrets(AwsConfig cfg) {
        var builder = configure(SecretsManagerClient.builder(), cfg, SECRETS_TIMEOUTS, SnapshotSafeRetries.standard());
        cfg.secretsEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(
            B builder, AwsConfig cfg, Timeouts timeouts, RetryStrategy retries) {
        return builder.region(Region.of(cfg.region())).credentialsProvider(credentials(cfg))
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(timeouts.connect())
                        .socketTimeout(timeouts.read()).build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(timeouts.attempt()).apiCallTimeout(timeouts.call())
                        .retryStrategy(retries)
                        .addExecutionInterceptor(new SdkDeadline(timeouts.call()))
                        .build());
    }

    private static AwsCredentialsProvider credentials(AwsConfig cfg) {
        return cfg.localCredentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
