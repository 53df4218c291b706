package shop.media;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import shop.platform.error.DependencyUnavailableException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * S3ObjectStore is the images bucket through the AWS SDK v2. The presigned PUT carries the
 * Content-Type and Content-Length in the PutObject request, so SigV4 signs both headers
 * ({@code X-Amz-SignedHeaders=content-length;content-type;host}) and S3 refuses a PUT of another
 * type or size. SDK failures other than "no such key" are {@link DependencyUnavailableException}s.
 */
public final class S3ObjectStore implements ObjectStore {
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    /** Creates the store; either client may be null where the function does not use it. */
    public S3ObjectStore(S3Client s3, S3Presigner presigner, String bucket) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
    }

    @Override
    public PresignedPut presignPut(String key, String contentType, long contentLength, Duration ttl) {
        PutObjectRequest put = PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType)
                .contentLength(contentLength).build();
        PresignedPutObjectRequest signed = presigner.presignPutObject(r -> r.signatureDuration(ttl).putObjectRequest(put));
        // S3 counts the expiry from X-Amz-Date, which has whole seconds: so does expiresAt.
        return new PresignedPut(signed.url().toString(), Map.of("Content-Type", contentType),
                signed.expiration().truncatedTo(ChronoUnit.SECONDS));
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        try {
            HeadObjectResponse h = s3.headObject(r -> r.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(h.contentLength() == null ? -1 : h.contentLength(), h.contentType()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw unavailable(e);
        } catch (SdkException e) {
            throw unavailable(e);
        }
    }

    @Override
    public byte[] firstBytes(String key, int n) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)
                    .range("bytes=0-" + (n - 1)));
            byte[] all = bytes.asByteArray();
            // A server that ignores Range sends everything: keep only what was asked for.
            return all.length <= n ? all : java.util.Arrays.copyOf(all, n);
        } catch (NoSuchKeyException e) {
            return new byte[0];
        } catch (SdkException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            // already gone
        } catch (SdkException e) {
            throw unavailable(e);
        }
    }

    private static DependencyUnavailableException unavailable(SdkException e) {
        return new DependencyUnavailableException("the images bucket", e);
    }
}
