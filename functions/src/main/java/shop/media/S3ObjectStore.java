package shop.media;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import shop.platform.error.DependencyUnavailableException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * S3ObjectStore is the images bucket through the AWS SDK v2. The presigned PUT carries the
 * Content-Type and Content-Length in the PutObject request, so SigV4 signs both headers
 * ({@code X-Amz-SignedHeaders=content-length;content-type;host}) and S3 refuses a PUT of another
 * type or size. Ranged reads and the copy carry the ETag of the object that was looked at
 * ({@code If-Match}, {@code x-amz-copy-source-if-match}): S3 answers 412 if it was replaced since,
 * which is an {@link ObjectStore.ObjectChangedException}. Other SDK failures than "no such key" are
 * {@link DependencyUnavailableException}s.
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
            return Optional.of(new ObjectInfo(h.contentLength() == null ? -1 : h.contentLength(), h.contentType(),
                    h.eTag()));
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
    public byte[] read(String key, String etag, long offset, int length) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key).ifMatch(etag)
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
            byte[] all = bytes.asByteArray();
            // A server that ignores Range sends everything: keep only what was asked for.
            if (all.length > length && bytes.response().contentRange() == null) {
                return Arrays.copyOfRange(all, (int) offset, (int) offset + length);
            }
            return all.length <= length ? all : Arrays.copyOf(all, length);
        } catch (NoSuchKeyException e) {
            throw new ObjectChangedException(key);
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                throw new ObjectChangedException(key);
            }
            throw unavailable(e);
        } catch (SdkException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void publish(String key, String etag, String servedKey, ServedHeaders headers) {
        try {
            s3.copyObject(r -> r.sourceBucket(bucket).sourceKey(key).copySourceIfMatch(etag)
                    .destinationBucket(bucket).destinationKey(servedKey)
                    .metadataDirective(MetadataDirective.REPLACE).contentType(headers.contentType())
                    .cacheControl(headers.cacheControl()).contentDisposition(headers.contentDisposition()));
        } catch (NoSuchKeyException e) {
            throw new ObjectChangedException(key);
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                throw new ObjectChangedException(key);
            }
            throw unavailable(e);
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
