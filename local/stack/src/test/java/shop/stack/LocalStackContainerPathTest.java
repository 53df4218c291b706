package shop.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The Testcontainers path: S3 and DynamoDB from a LocalStack (or Floci) container. It needs Docker,
 * so it is skipped (reported as skipped, not passed) where no engine answers, as on the machines
 * this project is built on.
 */
class LocalStackContainerPathTest {

    static boolean dockerAvailable() {
        return LocalStackContainer.dockerAvailable();
    }

    @Test
    @EnabledIf("dockerAvailable")
    void localstackMode_startsContainer_andProvisionsTheTemplatesBucketAndTables() {
        try (LocalStack stack = LocalStack.start(Map.of("SHOP_STACK", "localstack",
                "SHOP_LOCALSTACK_IMAGE", System.getenv().getOrDefault("SHOP_LOCALSTACK_IMAGE", LocalStackContainer.DEFAULT_IMAGE),
                "LOCALSTACK_AUTH_TOKEN", System.getenv().getOrDefault("LOCALSTACK_AUTH_TOKEN", "")))) {
            assertNotNull(stack.endpoints().s3Endpoint());
            assertEquals("images-bucket", stack.resources().name("ImagesBucket"));
            assertEquals("idempotency-table", stack.resources().name("IdempotencyTable"));
        }
    }

    @Test
    void unknownMode_isRefusedWithTheAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalStack.start(Map.of("SHOP_STACK", "cloud")));
        assertEquals("SHOP_STACK must be embedded, external or localstack, not 'cloud'", e.getMessage());
    }

    @Test
    void externalMode_namesTheMissingVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalStack.start(Map.of("SHOP_STACK", "external")));
        assertEquals("SHOP_STACK=external needs DB_URL set", e.getMessage());
    }

    @Test
    void kebab_namesLocalResources() {
        assertEquals("upload-tickets-table", Provisioner.kebab("UploadTicketsTable"));
        assertEquals("images-bucket", Provisioner.kebab("ImagesBucket"));
    }
}
