package shop.platform.config;

import java.net.URI;
import java.util.Optional;

/**
 * AwsConfig is the region and, locally, the endpoints of the S3 and DynamoDB stand-ins.
 *
 * @param region           AWS_REGION (set by Lambda)
 * @param s3Endpoint       S3_ENDPOINT, local only
 * @param dynamoEndpoint   DYNAMODB_ENDPOINT, local only
 * @param secretsEndpoint  SECRETS_MANAGER_ENDPOINT, local only (moto_server in the rotation tests)
 * @param localCredentials AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, read only with an endpoint
 *                         override; deployed functions use the SDK's default chain (SnapStart-safe)
 */
public record AwsConfig(String region, Optional<URI> s3Endpoint, Optional<URI> dynamoEndpoint,
                        Optional<LocalCredentials> localCredentials, Optional<URI> secretsEndpoint) {

    /** AwsConfig without a Secrets Manager endpoint override. */
    public AwsConfig(String region, Optional<URI> s3Endpoint, Optional<URI> dynamoEndpoint,
                     Optional<LocalCredentials> localCredentials) {
        this(region, s3Endpoint, dynamoEndpoint, localCredentials, Optional.empty());
    }

    /** LocalCredentials are the static keys a local stand-in accepts. */
    public record LocalCredentials(String accessKeyId, String secretAccessKey) {
    }

    /** from reads the region and the optional endpoint overrides. */
    public static AwsConfig from(Env env) {
        Optional<URI> s3 = env.optional("S3_ENDPOINT").map(v -> uri("S3_ENDPOINT", v));
        Optional<URI> dynamo = env.optional("DYNAMODB_ENDPOINT").map(v -> uri("DYNAMODB_ENDPOINT", v));
        Optional<URI> secrets = env.optional("SECRETS_MANAGER_ENDPOINT").map(v -> uri("SECRETS_MANAGER_ENDPOINT", v));
        Optional<LocalCredentials> credentials = s3.isPresent() || dynamo.isPresent() || secrets.isPresent()
                ? Optional.of(new LocalCredentials(env.string("AWS_ACCESS_KEY_ID", "local"),
                        env.string("AWS_SECRET_ACCESS_KEY", "local")))
                : Optional.empty();
        return new AwsConfig(env.string("AWS_REGION", "us-east-1"), s3, dynamo, credentials, secrets);
    }

    private static URI uri(String name, String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, "must be an http(s) URL, not '" + value + "'");
        }
    }
}
