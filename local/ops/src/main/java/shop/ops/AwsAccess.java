package shop.ops;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * AwsAccess builds the SDK clients of the operators' tools for one region, with the usual
 * credential chain (environment, profile, SSO, instance role) and the URL-connection HTTP client.
 * {@code endpoint} points every client at one emulator (moto_server in the tests); the SDK's own
 * {@code AWS_ENDPOINT_URL} works as well.
 *
 * @param region   the stack's region
 * @param endpoint an endpoint override for every service, or empty for AWS
 */
public record AwsAccess(Region region, Optional<URI> endpoint) {
    /** apiGateway returns a new API Gateway client (Apache HTTP: its update calls are PATCH requests). */
    public ApiGatewayClient apiGateway() {
        var b = ApiGatewayClient.builder().region(region).httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.create())
                .credentialsProvider(DefaultCredentialsProvider.builder().build());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    /** cloudFormation returns a new CloudFormation client. */
    public CloudFormationClient cloudFormation() {
        var b = CloudFormationClient.builder().region(region).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(DefaultCredentialsProvider.builder().build());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    /** sqs returns a new SQS client. */
    public SqsClient sqs() {
        var b = SqsClient.builder().region(region).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(DefaultCredentialsProvider.builder().build());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    /** lambda returns a new Lambda client; its read timeout covers the longest function (5 minutes). */
    public LambdaClient lambda() {
        var b = LambdaClient.builder().region(region)
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(java.time.Duration.ofMinutes(6)).build())
                .credentialsProvider(DefaultCredentialsProvider.builder().build());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }
}
