package shop.media;

import java.util.Optional;

/**
 * WebpHeader reads the pixel size of a WebP file from its RIFF container and first chunk, the way
 * libwebp's {@code WebPGetInfo} does, without decoding anything: {@code VP8 } (lossy: the key
 * frame's 14-bit width and height after the start code {@code 9D 01 2A}), {@code VP8L} (lossless:
 * signature {@code 0x2F}, then 14-bit width-1 and height-1) or {@code VP8X} (extended: 24-bit canvas
 * width-1 and height-1, for alpha, animation and metadata). The JDK has no WebP reader, and a
 * library for four header formats would add more code than it saves.
 *
 * <p>It also walks the RIFF chunks it was given: each must be a four-letter chunk that ends inside
 * the file, and the RIFF size must be the file's size, so a truncated file or one with anything
 * appended (a page after the image) is refused.
 */
final class WebpHeader {
    private WebpHeader() {
    }

    /**
     * Size is what the header declares.
     *
     * @param width  pixels (the canvas, for VP8X)
     * @param height pixels
     * @param format VP8, VP8L or VP8X
     */
    record Size(int width, int height, String format) {
    }

    /**
     * read parses the header.
     *
     * @param head the first bytes of the file (at least 30 for a useful answer)
     * @param size the file's full size in bytes
     * @return the size, or the reason the bytes are not a well-formed WebP file
     */
    static Result read(byte[] head, long size) {
        if (head.length < 30) {
            return new Result.Bad("the webp file is too short to hold a header");
        }
        if (!ascii(head, 0, "RIFF") || !ascii(head, 8, "WEBP")) {
            return new Result.Bad("not a RIFF WEBP file");
        }
        long riffSize = u32le(head, 4);
        if (riffSize + 8 != size) {
            return new Result.Bad("the webp RIFF header says " + (riffSize + 8) + " bytes, the file has " + size
                    + (riffSize + 8 > size ? " (truncated)" : " (data after the image)"));
        }
        Optional<String> chunks = walkChunks(head, size);
        if (chunks.isPresent()) {
            return new Result.Bad(chunks.get());
        }
        String first = new String(head, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        long chunkSize = u32le(head, 16);
        int p = 20;
        return switch (first) {
            case "VP8 " -> {
                // Frame tag: bit 0 of the first byte is 0 for a key frame; a still image is one.
                if ((head[p] & 0x01) != 0 || chunkSize < 10) {
                    yield new Result.Bad("the webp VP8 chunk does not start with a key frame");
                }
                if ((head[p + 3] & 0xFF) != 0x9D || (head[p + 4] & 0xFF) != 0x01 || (head[p + 5] & 0xFF) != 0x2A) {
                    yield new Result.Bad("the webp VP8 key frame has no start code");
                }
                yield sized(u16le(head, p + 6) & 0x3FFF, u16le(head, p + 8) & 0x3FFF, "VP8");
            }
            case "VP8L" -> {
                if ((head[p] & 0xFF) != 0x2F || chunkSize < 5) {
                    yield new Result.Bad("the webp VP8L chunk has no signature");
                }
                long bits = u32le(head, p + 1);
                if ((bits >>> 29) != 0) {
                    yield new Result.Bad("the webp VP8L version is not 0");
                }
                yield sized((int) (bits & 0x3FFF) + 1, (int) ((bits >>> 14) & 0x3FFF) + 1, "VP8L");
            }
            case "VP8X" -> {
                if (chunkSize != 10) {
                    yield new Result.Bad("the webp VP8X chunk has " + chunkSize + " bytes, not 10");
                }
                yield sized((int) u24le(head, p + 4) + 1, (int) u24le(head, p + 7) + 1, "VP8X");
            }
            default -> new Result.Bad("the webp file starts with a '" + printable(first) + "' chunk, not VP8, VP8L or VP8X");
        };
    }

    /** Result is a size, or why there is none. */
    sealed interface Result {
        /** Good is a well-formed header. */
        record Good(Size size) implements Result {
        }

        /** Bad says what is wrong. */
        record Bad(String reason) implements Result {
        }
    }

    private static Result sized(int width, int height, String format) {
        if (width < 1 || height < 1) {
            return new Result.Bad("the webp image has no pixels (" + width + " x " + height + ")");
        }
        return new Result.Good(new Size(width, height, format));
    }

    /** walkChunks checks every chunk header within {@code head}; empty when they are all well-formed. */
    private static Optional<String> walkChunks(byte[] head, long size) {
        long pos = 12;
        while (pos + 8 <= head.length) {
            int at = (int) pos;
            for (int i = 0; i < 4; i++) {
                int c = head[at + i] & 0xFF;
                if (c < 0x20 || c > 0x7E) {
                    return Optional.of("the webp file has a malformed chunk at byte " + pos);
                }
            }
            long chunkSize = u32le(head, at + 4);
            long end = pos + 8 + chunkSize + (chunkSize & 1); // chunks are padded to an even size
            if (end > size) {
                return Optional.of("the webp chunk '" + printable(new String(head, at, 4,
                        java.nio.charset.StandardCharsets.US_ASCII)) + "' at byte " + pos + " runs past the end of the file");
            }
            pos = end;
        }
        if (head.length == size && pos != size) {
            return Optional.of("the webp file ends inside a chunk header at byte " + pos);
        }
        return Optional.empty();
    }

    private static boolean ascii(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7E]", "?");
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long u24le(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16;
    }

    private static long u32le(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
