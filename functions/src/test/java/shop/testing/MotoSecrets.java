package shop.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import shop.stack.MotoServer;

/** MotoSecrets gives tests a Secrets Manager client of a {@link MotoServer}: the console's or the rotation's stand-in. */
public final class MotoSecrets {
    private MotoSecrets() {
    }

    /** client returns a new client of the emulator's Secrets Manager, with moto's test credentials. */
    public static SecretsManagerClient client(MotoServer moto) {
        return SecretsManagerClient.builder().region(Region.US_EAST_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
