package shop.platform.aws;

import shop.platform.config.AwsConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * AwsClients builds the SDK clients once per execution environment, with the region and the
 * URL-connection HTTP client set explicitly (it starts faster than Apache's or Netty's), and the
 * local endpoints where the configuration names them.
 */
public final class AwsClients {
    private AwsClients() {
    }

    /** s3 returns an S3 client; path-style when pointed at a local stand-in. */
    public static S3Client s3(AwsConfig cfg) {
        var builder = S3Client.builder().region(Region.of(cfg.region())).credentialsProvider(credentials(cfg))
                .httpClient(UrlConnectionHttpClient.create());
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
        var builder = DynamoDbClient.builder().region(Region.of(cfg.region())).credentialsProvider(credentials(cfg))
                .httpClient(UrlConnectionHttpClient.create());
        cfg.dynamoEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** secrets returns a Secrets Manager client; pointed at a local emulator where the configuration says. */
    public static SecretsManagerClient secrets(AwsConfig cfg) {
        var builder = SecretsManagerClient.builder().region(Region.of(cfg.region())).credentialsProvider(credentials(cfg))
                .httpClient(UrlConnectionHttpClient.create());
        cfg.secretsEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(AwsConfig cfg) {
        return cfg.localCredentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
