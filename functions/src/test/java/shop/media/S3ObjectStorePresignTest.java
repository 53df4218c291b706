package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The presigned PUT signs what S3 must enforce, and expires when configured. No server needed. */
class S3ObjectStorePresignTest {

    private static Map<String, String> query(String url) {
        Map<String, String> q = new HashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    @Test
    void presignPut_signsContentTypeLengthAndHost_andExpiresWhenConfigured() {
        AwsConfig aws = new AwsConfig("eu-west-1", Optional.empty(), Optional.empty(),
                Optional.of(new AwsConfig.LocalCredentials("AKIDEXAMPLE", "secret")));
        try (S3Presigner presigner = AwsClients.presigner(aws)) {
            S3ObjectStore store = new S3ObjectStore(null, presigner, "shop-images-123");
            Instant before = Instant.now();

            var put = store.presignPut("uploads/banner/7/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.png", "image/png", 68,
                    Duration.ofSeconds(120));

            Map<String, String> q = query(put.url());
            assertEquals("content-length;content-type;host", q.get("X-Amz-SignedHeaders"));
            assertEquals("120", q.get("X-Amz-Expires"));
            assertEquals("AWS4-HMAC-SHA256", q.get("X-Amz-Algorithm"));
            assertTrue(q.get("X-Amz-Credential").startsWith("AKIDEXAMPLE/"), q.get("X-Amz-Credential"));
            assertTrue(q.get("X-Amz-Credential").endsWith("/eu-west-1/s3/aws4_request"), q.get("X-Amz-Credential"));
            assertTrue(put.url().startsWith("https://shop-images-123.s3.eu-west-1.amazonaws.com/uploads/banner/7/"),
                    put.url());
            assertEquals(Map.of("Content-Type", "image/png"), put.headers());
            long ttl = Duration.between(before, put.expiresAt()).toSeconds();
            assertTrue(ttl >= 119 && ttl <= 121, "expires in " + ttl + " s");
        }
    }

    @Test
    void presignPut_expiryFollowsTheConfiguredTtl() {
        AwsConfig aws = new AwsConfig("us-east-1", Optional.empty(), Optional.empty(),
                Optional.of(new AwsConfig.LocalCredentials("AKIDEXAMPLE", "secret")));
        try (S3Presigner presigner = AwsClients.presigner(aws)) {
            var put = new S3ObjectStore(null, presigner, "b").presignPut("uploads/brand/1/x.gif", "image/gif", 5,
                    Duration.ofMinutes(5));
            assertEquals("300", query(put.url()).get("X-Amz-Expires"));
        }
    }
}
