package shop.stack;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;

/**
 * Provisioner creates, in the local S3 and DynamoDB stand-ins, every {@code AWS::S3::Bucket} and
 * {@code AWS::DynamoDB::Table} that {@code template.yaml} declares, with the table keys the template
 * gives, so that local and deployed resources cannot drift. A resource's local name is its logical
 * id in kebab case ({@code ImagesBucket} becomes {@code images-bucket}).
 */
public final class Provisioner {
    private Provisioner() {
    }

    /** provision creates what is missing and returns the local names; existing ones are kept. */
    public static Provisioned provision(Template template, StackEndpoints endpoints) {
        Map<String, String> names = new LinkedHashMap<>();
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(nonEmpty(endpoints.accessKey()), nonEmpty(endpoints.secretKey())));
        Region region = Region.of(endpoints.region());
        if (endpoints.s3Endpoint() != null) {
            try (S3Client s3 = S3Client.builder().region(region).credentialsProvider(credentials)
                    .httpClient(UrlConnectionHttpClient.create()).endpointOverride(endpoints.s3Endpoint())
                    .forcePathStyle(true).build()) {
                for (String id : template.resourcesOfType("AWS::S3::Bucket").keySet()) {
                    String name = kebab(id);
                    try {
                        s3.createBucket(b -> b.bucket(name));
                    } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
                        // Created by an earlier run against the same server.
                    }
                    names.put(id, name);
                }
            }
        }
        if (endpoints.dynamoEndpoint() != null) {
            try (DynamoDbClient dynamo = DynamoDbClient.builder().region(region).credentialsProvider(credentials)
                    .httpClient(UrlConnectionHttpClient.create()).endpointOverride(endpoints.dynamoEndpoint())
                    .build()) {
                template.resourcesOfType("AWS::DynamoDB::Table").forEach((id, resource) -> {
                    String name = kebab(id);
                    try {
                        dynamo.createTable(tableRequest(name, Template.map(resource.get("Properties"))));
                    } catch (ResourceInUseException e) {
                        // Created by an earlier run against the same server.
                    }
                    names.put(id, name);
                });
            }
        }
        return new Provisioned(names);
    }

    /**
     * cdn starts the stand-in of the template's CloudFront distribution over the local bucket it
     * serves; empty when the template has none or the stack has no S3 endpoint here.
     */
    static Optional<LocalCdn> cdn(Template template, StackEndpoints endpoints, Provisioned resources) {
        return cdn(template, endpoints, resources, 0, StackPorts.LOOPBACK);
    }

    /** cdn as above, on {@code port} (0: a free one) of {@code bind}. */
    static Optional<LocalCdn> cdn(Template template, StackEndpoints endpoints, Provisioned resources, int port,
                                  String bind) {
        Optional<LocalCdn.Rules> rules = LocalCdn.Rules.fromTemplate(template);
        if (rules.isEmpty() || endpoints.s3Endpoint() == null) {
            return Optional.empty();
        }
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(nonEmpty(endpoints.accessKey()), nonEmpty(endpoints.secretKey())));
        S3Client s3 = S3Client.builder().region(Region.of(endpoints.region())).credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create()).endpointOverride(endpoints.s3Endpoint())
                .forcePathStyle(true).build();
        return Optional.of(LocalCdn.start(rules.get(), s3, resources.name(rules.get().bucketLogicalId()), port, bind));
    }

    private static CreateTableRequest tableRequest(String name, Map<String, Object> props) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        for (Object o : Template.list(props.get("AttributeDefinitions"))) {
            Map<String, Object> a = Template.map(o);
            attributes.add(AttributeDefinition.builder().attributeName((String) a.get("AttributeName"))
                    .attributeType((String) a.get("AttributeType")).build());
        }
        List<KeySchemaElement> keys = new ArrayList<>();
        for (Object o : Template.list(props.get("KeySchema"))) {
            Map<String, Object> k = Template.map(o);
            keys.add(KeySchemaElement.builder().attributeName((String) k.get("AttributeName"))
                    .keyType((String) k.get("KeyType")).build());
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " has no KeySchema in template.yaml");
        }
        return CreateTableRequest.builder().tableName(name).attributeDefinitions(attributes).keySchema(keys)
                .billingMode(BillingMode.PAY_PER_REQUEST).build();
    }

    /** kebab turns a logical id such as {@code UploadTicketsTable} into {@code upload-tickets-table}. */
    public static String kebab(String logicalId) {
        return logicalId.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? "local" : s;
    }

    static URI uri(String s) {
        return URI.create(s);
    }
}
