package shop.stack;

import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer.Service;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStackContainer is the second path for machines with Docker: S3 and DynamoDB from a LocalStack
 * (or Floci, a drop-in) container through Testcontainers. LocalStack's image needs an auth token
 * since March 2026 ({@code LOCALSTACK_AUTH_TOKEN}); {@code floci/floci} does not.
 */
final class LocalStackContainer implements AutoCloseable {
    static final String DEFAULT_IMAGE = "localstack/localstack:4";
    private final org.testcontainers.containers.localstack.LocalStackContainer container;

    private LocalStackContainer(org.testcontainers.containers.localstack.LocalStackContainer container) {
        this.container = container;
    }

    /** dockerAvailable tells whether Testcontainers can reach a Docker engine here. */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static LocalStackContainer start(String image, String authToken) {
        if (!dockerAvailable()) {
            throw new IllegalStateException("SHOP_STACK=localstack needs a Docker engine, and none answers here");
        }
        var container = new org.testcontainers.containers.localstack.LocalStackContainer(
                DockerImageName.parse(image).asCompatibleSubstituteFor("localstack/localstack"))
                .withServices(Service.S3, Service.DYNAMODB);
        if (authToken != null && !authToken.isBlank()) {
            container.withEnv("LOCALSTACK_AUTH_TOKEN", authToken);
        }
        container.start();
        return new LocalStackContainer(container);
    }

    URI endpoint() {
        return container.getEndpoint();
    }

    String region() {
        return container.getRegion();
    }

    String accessKey() {
        return container.getAccessKey();
    }

    String secretKey() {
        return container.getSecretKey();
    }

    @Override
    public void close() {
        container.stop();
    }
}
