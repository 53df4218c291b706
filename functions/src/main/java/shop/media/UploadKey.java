package shop.media;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * UploadKey is the object key the server makes for an upload, never from a client's file name:
 * {@code uploads/{target}/{targetId}/{uploadId}.{ext}}. Once verified, the image is served from a
 * copy at the same path under {@code images/} ({@link #servedKey}); {@code uploads/} is never served.
 * Upload ids are random and a ticket yields at most one image, so a served key is never reused.
 *
 * @param target   what the image belongs to
 * @param targetId the target's id
 * @param uploadId the ticket's id (a random UUID)
 * @param type     the promised image format, whose extension ends the key
 */
public record UploadKey(UploadTarget target, long targetId, String uploadId, ImageType type) {
    /** PREFIX is where every upload lands; the upload-complete function listens there only. */
    public static final String PREFIX = "uploads/";
    /** SERVED_PREFIX is where verified images are copied to and served from (CloudFront reads only there). */
    public static final String SERVED_PREFIX = "images/";
    private static final Pattern SHAPE = Pattern.compile(
            "uploads/([a-z]+)/([1-9][0-9]{0,18})/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.([a-z]+)");

    /** key renders the object key. */
    public String key() {
        return PREFIX + target.wire() + "/" + targetId + "/" + uploadId + "." + type.extension();
    }

    /** servedKey is where the verified copy of the upload at {@code uploadKey} is served from. */
    public static String servedKey(String uploadKey) {
        if (!uploadKey.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not an upload key: " + uploadKey);
        }
        return SERVED_PREFIX + uploadKey.substring(PREFIX.length());
    }

    /** isUploadId tells whether a string has the shape of an upload id (a lower-case UUID). */
    public static boolean isUploadId(String s) {
        if (s == null || s.length() != 36) {
            return false;
        }
        try {
            return UUID.fromString(s).toString().equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** parse reads a key the server made; empty for any other key (a stray object under uploads/). */
    public static Optional<UploadKey> parse(String key) {
        Matcher m = SHAPE.matcher(key);
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<UploadTarget> target = UploadTarget.parse(m.group(1));
        Optional<ImageType> type = ImageType.ofExtension(m.group(4));
        if (target.isEmpty() || type.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new UploadKey(target.get(), Long.parseLong(m.group(2)), m.group(3), type.get()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
