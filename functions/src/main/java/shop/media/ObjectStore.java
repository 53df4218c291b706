package shop.media;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** ObjectStore is the bucket the browser uploads into: presigned PUTs, and checks of what arrived. */
public interface ObjectStore {

    /**
     * presignPut returns a URL that accepts one PUT of exactly this type and size at this key until
     * it expires; the signature covers Content-Type and Content-Length, so S3 refuses anything else.
     */
    PresignedPut presignPut(String key, String contentType, long contentLength, Duration ttl);

    /** head returns an object's size and type; empty when it does not exist (any more). */
    Optional<ObjectInfo> head(String key);

    /** firstBytes reads up to {@code n} leading bytes of an object (a ranged GET). */
    byte[] firstBytes(String key, int n);

    /** delete removes an object; removing a missing one is not an error. */
    void delete(String key);

    /**
     * PresignedPut is a URL to PUT to, with the headers the client must send.
     *
     * @param url       the presigned URL
     * @param headers   headers the client must send as they are (Content-Type)
     * @param expiresAt when the URL stops working
     */
    record PresignedPut(String url, Map<String, String> headers, Instant expiresAt) {
    }

    /**
     * ObjectInfo is what HeadObject says.
     *
     * @param size        bytes
     * @param contentType the stored Content-Type, as sent by the uploader
     */
    record ObjectInfo(long size, String contentType) {
    }
}
