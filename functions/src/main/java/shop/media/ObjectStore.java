package shop.media;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * ObjectStore is the images bucket: presigned PUTs into {@code uploads/}, reads of what arrived, and
 * the copy of a verified upload to where it is served ({@code images/}). Reads and the copy are
 * pinned to the ETag that {@link #head} returned, so what is checked is exactly what is served.
 */
public interface ObjectStore {

    /**
     * presignPut returns a URL that accepts one PUT of exactly this type and size at this key until
     * it expires; the signature covers Content-Type and Content-Length, so S3 refuses anything else.
     */
    PresignedPut presignPut(String key, String contentType, long contentLength, Duration ttl);

    /** head returns an object's size, type and ETag; empty when it does not exist (any more). */
    Optional<ObjectInfo> head(String key);

    /**
     * read returns {@code length} bytes from {@code offset} (a ranged GET), only while the object
     * still has that ETag.
     *
     * @throws ObjectChangedException when the object was replaced or deleted since its head
     */
    byte[] read(String key, String etag, long offset, int length);

    /**
     * publish copies the object, only while it still has that ETag, to {@code servedKey}, with the
     * served headers (not the uploader's).
     *
     * @throws ObjectChangedException when the object was replaced or deleted since its head
     */
    void publish(String key, String etag, String servedKey, ServedHeaders headers);

    /** delete removes an object; removing a missing one is not an error. */
    void delete(String key);

    /**
     * ServedHeaders are the metadata a served copy gets, set by the server from what it verified.
     *
     * @param contentType        the decoded format's media type
     * @param cacheControl       how long caches may keep it
     * @param contentDisposition inline, with a file name for "save as"
     */
    record ServedHeaders(String contentType, String cacheControl, String contentDisposition) {
    }

    /** ObjectChangedException: the object is not the one that was looked at any more. */
    final class ObjectChangedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception naming the key. */
        public ObjectChangedException(String key) {
            super("the object " + key + " was replaced or deleted meanwhile");
        }
    }

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
     * @param etag        the object's ETag, quotes included
     */
    record ObjectInfo(long size, String contentType, String etag) {
    }
}
