package shop.media;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * ImageInspector decides whether the bytes of an upload are the image they claim to be, from the
 * file's header and its last bytes, without decoding a single pixel:
 * <ol>
 *   <li>the magic number names the format, which must be the one promised;</li>
 *   <li>a real decoder reads the header: the JDK's {@code javax.imageio} readers for PNG, JPEG and
 *       GIF ({@code getWidth}/{@code getHeight} after {@code setInput}, which reads the header and
 *       never the raster), {@link WebpHeader} for WebP;</li>
 *   <li>the width and height must be within the {@link Limits}, so a small file that declares
 *       50,000 x 50,000 pixels (a decompression bomb for whoever decodes it later) is refused;</li>
 *   <li>the file must be one well-formed image from its first byte to its last: PNG chunks that fit
 *       the file and keep their checksums, ending with IEND; a JPEG ending with its EOI marker, a
 *       GIF with its trailer, a WebP whose RIFF size is the file's size. So a truncated file, and a
 *       polyglot (an image header followed by a page, or an image with a page appended) are refused.</li>
 * </ol>
 *
 * <p>It sees only {@link #HEAD_WINDOW} leading bytes and {@link #TAIL_BYTES} trailing ones. A
 * JPEG's frame header (SOF, which carries its size) follows its APPn metadata segments: EXIF is at
 * most 64 KiB, but XMP, extended XMP, ICC profiles and Photoshop resources may each span several
 * 64 KiB segments, and editors that keep an edit history write hundreds of KiB. One MiB holds what
 * cameras, phones and ordinary exports write, costs one ranged GET of at most 1 MiB, and keeps the
 * check's memory small however large {@code UPLOAD_MAX_BYTES} is set; a JPEG whose frame header lies
 * further is refused with a reason that says to strip its metadata.
 *
 * <p>What a valid image carries in its metadata (text chunks, EXIF) is not inspected: it is served
 * as the image type it decoded as, with {@code nosniff}, so a browser never reads it as a page.
 */
public final class ImageInspector {
    /** HEAD_WINDOW is how many leading bytes the check reads at most (1 MiB; see the class comment). */
    public static final int HEAD_WINDOW = 1 << 20;
    /** TAIL_BYTES is how many trailing bytes the check reads (a PNG's IEND chunk is 12). */
    public static final int TAIL_BYTES = 16;

    private static final byte[] PNG_IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};

    private final Limits limits;

    /**
     * Limits bound the pixel size of an accepted image.
     *
     * @param maxWidth  widest accepted, in pixels
     * @param maxHeight tallest accepted, in pixels
     */
    public record Limits(int maxWidth, int maxHeight) {
        /** DEFAULT is 8,000 x 8,000 pixels (64 megapixels, 256 MB once decoded to RGBA). */
        public static final Limits DEFAULT = new Limits(8000, 8000);
    }

    /** Creates an inspector, loading the JDK's image readers now (once per execution environment). */
    public ImageInspector(Limits limits) {
        this.limits = limits;
        // ImageIO scans its plugin registry on first use: do it while the environment starts (and
        // before a SnapStart snapshot), not during the first upload.
        for (ImageType type : ImageType.values()) {
            imageIoFormat(type).ifPresent(format -> ImageIO.getImageReadersByFormatName(format).hasNext());
        }
    }

    /** limits returns the pixel limits. */
    public Limits limits() {
        return limits;
    }

    /** Verdict is what the inspection found. */
    public sealed interface Verdict {
        /** Valid is an image of the promised type and an accepted size. */
        record Valid(ImageType type, int width, int height) implements Verdict {
        }

        /** Invalid says, for the uploader, why the file is refused. */
        record Invalid(String reason) implements Verdict {
        }
    }

    /**
     * inspect checks a file.
     *
     * @param promised the type the ticket promised
     * @param size     the file's size in bytes
     * @param head     its first {@code min(size, HEAD_WINDOW)} bytes
     * @param tail     its last {@code min(size, TAIL_BYTES)} bytes
     */
    public Verdict inspect(ImageType promised, long size, byte[] head, byte[] tail) {
        Optional<ImageType> detected = ImageType.detect(head);
        if (detected.isEmpty()) {
            return new Verdict.Invalid("the bytes are not a " + promised + " image (nor any accepted image format)");
        }
        ImageType type = detected.get();
        if (type != promised) {
            return new Verdict.Invalid("the bytes are a " + type + " image, a " + promised + " was promised");
        }
        Header header = switch (type) {
            case WEBP -> switch (WebpHeader.read(head, size)) {
                case WebpHeader.Result.Good g -> new Header.Read(g.size().width(), g.size().height());
                case WebpHeader.Result.Bad b -> new Header.Broken(b.reason());
            };
            case PNG, JPEG, GIF -> imageIoHeader(type, head, size);
        };
        if (header instanceof Header.Broken broken) {
            return new Verdict.Invalid(broken.reason());
        }
        Header.Read read = (Header.Read) header;
        if (read.width() > limits.maxWidth() || read.height() > limits.maxHeight()) {
            return new Verdict.Invalid("the image is " + read.width() + " x " + read.height() + " pixels; at most "
                    + limits.maxWidth() + " x " + limits.maxHeight() + " are accepted");
        }
        Optional<String> structure = switch (type) {
            case PNG -> pngStructure(head, tail, size);
            case JPEG -> endsWith(tail, new byte[] {(byte) 0xFF, (byte) 0xD9}) ? Optional.empty()
                    : Optional.of("the jpeg does not end with its end-of-image marker (truncated, or data after the image)");
            case GIF -> gifStructure(head, tail, size);
            case WEBP -> Optional.empty(); // WebpHeader checked the RIFF size and chunks
        };
        if (structure.isPresent()) {
            return new Verdict.Invalid(structure.get());
        }
        return new Verdict.Valid(type, read.width(), read.height());
    }

    /** Header is a decoder's reading of a header. */
    private sealed interface Header {
        record Read(int width, int height) implements Header {
        }

        record Broken(String reason) implements Header {
        }
    }

    private static Optional<String> imageIoFormat(ImageType type) {
        return switch (type) {
            case PNG -> Optional.of("png");
            case JPEG -> Optional.of("jpeg");
            case GIF -> Optional.of("gif");
            case WEBP -> Optional.empty();
        };
    }

    /**
     * imageIoHeader reads width and height with the JDK's reader for the format: setInput, then
     * getWidth/getHeight of the first image, which read the header (a JPEG's up to its frame header)
     * and not the pixels.
     */
    private static Header imageIoHeader(ImageType type, byte[] head, long size) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(imageIoFormat(type).orElseThrow());
        if (!readers.hasNext()) {
            throw new IllegalStateException("no javax.imageio reader for " + type);
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(head))) {
            reader.setInput(in, true, true);
            return new Header.Read(reader.getWidth(0), reader.getHeight(0));
        } catch (IOException | RuntimeException e) {
            if (type == ImageType.JPEG && head.length < size) {
                return new Header.Broken("the jpeg's frame header is not within its first " + HEAD_WINDOW / 1024
                        + " KiB (" + message(e) + "); strip its metadata and upload it again");
            }
            return new Header.Broken("the " + type + " header is invalid: " + message(e));
        } finally {
            reader.dispose();
        }
    }

    /**
     * pngStructure walks the chunks within the head: each must be a four-letter chunk that fits in
     * the file and, where it lies whole in the head, keeps its CRC; IEND must come last, and the
     * file must end with it.
     */
    private static Optional<String> pngStructure(byte[] head, byte[] tail, long size) {
        long pos = 8;
        boolean idat = false;
        CRC32 crc = new CRC32();
        while (pos + 8 <= head.length) {
            int at = (int) pos;
            long length = u32be(head, at);
            String type = new String(head, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!type.matches("[A-Za-z]{4}")) {
                return Optional.of("the png has a malformed chunk at byte " + pos);
            }
            long end = pos + 12 + length;
            if (length > Integer.MAX_VALUE || end > size) {
                return Optional.of("the png chunk '" + type + "' at byte " + pos + " runs past the end of the file");
            }
            if (end <= head.length) {
                crc.reset();
                crc.update(head, at + 4, (int) length + 4);
                if (crc.getValue() != u32be(head, (int) end - 4)) {
                    return Optional.of("the png chunk '" + type + "' at byte " + pos + " has a bad checksum");
                }
            }
            if (type.equals("IDAT")) {
                idat = true;
            }
            if (type.equals("IEND")) {
                if (!idat) {
                    return Optional.of("the png has no image data before IEND");
                }
                if (end != size) {
                    return Optional.of("the png has " + (size - end) + " bytes after its IEND chunk");
                }
                return Optional.empty();
            }
            pos = end;
        }
        if (!endsWith(tail, PNG_IEND)) {
            return Optional.of("the png does not end with its IEND chunk (truncated, or data after the image)");
        }
        return Optional.empty();
    }

    /**
     * gifStructure checks the logical screen against the limits, then walks the blocks within the
     * head (extensions, image descriptors with their data sub-blocks) to the trailer, which must be
     * the file's last byte; every frame it meets must be within the limits too. Past the head it
     * relies on the trailer byte.
     */
    private Optional<String> gifStructure(byte[] head, byte[] tail, long size) {
        int screenWidth = u16le(head, 6);
        int screenHeight = u16le(head, 8);
        if (screenWidth > limits.maxWidth() || screenHeight > limits.maxHeight()) {
            return Optional.of("the gif's screen is " + screenWidth + " x " + screenHeight + " pixels; at most "
                    + limits.maxWidth() + " x " + limits.maxHeight() + " are accepted");
        }
        long pos = 13 + colourTable(head[10]);
        while (pos < head.length) {
            int at = (int) pos;
            int block = head[at] & 0xFF;
            if (block == 0x3B) {
                return pos == size - 1 ? Optional.empty()
                        : Optional.of("the gif has " + (size - 1 - pos) + " bytes after its trailer");
            } else if (block == 0x21) {
                pos = subBlocks(head, pos + 2);
            } else if (block == 0x2C) {
                if (pos + 10 > head.length) {
                    break;
                }
                int width = u16le(head, at + 5);
                int height = u16le(head, at + 7);
                if (width > limits.maxWidth() || height > limits.maxHeight()) {
                    return Optional.of("a frame of the gif is " + width + " x " + height + " pixels; at most "
                            + limits.maxWidth() + " x " + limits.maxHeight() + " are accepted");
                }
                pos = subBlocks(head, pos + 10 + colourTable(head[at + 9]) + 1); // + LZW minimum code size
            } else {
                return Optional.of("the gif has a malformed block at byte " + pos);
            }
        }
        if (head.length == size || tail.length == 0 || tail[tail.length - 1] != 0x3B) {
            return Optional.of("the gif does not end with its trailer (truncated, or data after the image)");
        }
        return Optional.empty();
    }

    /** colourTable is the size of the colour table that a GIF flags byte announces (bit 7, size in bits 0-2). */
    private static int colourTable(byte flags) {
        return (flags & 0x80) == 0 ? 0 : 3 * (1 << ((flags & 0x07) + 1));
    }

    /** subBlocks skips data sub-blocks from {@code pos} to just after their zero terminator (or past the head). */
    private static long subBlocks(byte[] head, long pos) {
        while (pos < head.length) {
            int length = head[(int) pos] & 0xFF;
            pos += 1 + length;
            if (length == 0) {
                return pos;
            }
        }
        return Long.MAX_VALUE; // ran past the head: the rest is unknown
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static String message(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        if (bytes.length < suffix.length) {
            return false;
        }
        int off = bytes.length - suffix.length;
        for (int i = 0; i < suffix.length; i++) {
            if (bytes[off + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long u32be(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
    }
}
