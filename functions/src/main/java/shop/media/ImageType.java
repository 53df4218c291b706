package shop.media;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * ImageType is an image format an upload may have: its media type, the file extension the server
 * gives its object key, and its magic number, so the bytes that arrive can be checked against what
 * the client promised (a text file renamed {@code .png} is not a PNG).
 */
public enum ImageType {
    JPEG("image/jpeg", "jpg"),
    PNG("image/png", "png"),
    WEBP("image/webp", "webp"),
    GIF("image/gif", "gif");

    /** HEAD_BYTES is how many leading bytes {@link #detect} needs. */
    public static final int HEAD_BYTES = 16;

    private final String mediaType;
    private final String extension;

    ImageType(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    /** mediaType is the Content-Type, e.g. {@code image/png}. */
    public String mediaType() {
        return mediaType;
    }

    /** extension is the object key's extension, without the dot. */
    public String extension() {
        return extension;
    }

    /** ofMediaType finds a type by its Content-Type (exact match, no parameters). */
    public static Optional<ImageType> ofMediaType(String mediaType) {
        return Arrays.stream(values()).filter(t -> t.mediaType.equals(mediaType)).findFirst();
    }

    /** ofExtension finds a type by the extension its keys carry. */
    public static Optional<ImageType> ofExtension(String extension) {
        return Arrays.stream(values()).filter(t -> t.extension.equals(extension)).findFirst();
    }

    /** mediaTypes lists the accepted Content-Types, for messages. */
    public static String mediaTypes() {
        return String.join(", ", Arrays.stream(values()).map(t -> t.mediaType).toList());
    }

    /**
     * detect names the format whose magic number the first bytes carry: JPEG {@code FF D8 FF}, PNG's
     * 8-byte signature, {@code GIF87a}/{@code GIF89a}, and WebP's {@code RIFF....WEBP}.
     */
    public static Optional<ImageType> detect(byte[] head) {
        if (startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(PNG);
        }
        if (startsWith(head, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(head, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return Optional.of(GIF);
        }
        if (startsWith(head, 0, 'R', 'I', 'F', 'F') && startsWith(head, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of(WEBP);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int offset, int... expected) {
        if (bytes.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((bytes[offset + i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
