package shop.media;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * ImageBytes makes the files the image checks are tried on: real images from the JDK's writers
 * ({@link MediaFixtures#png} and friends) and WebP files made with libwebp (test resources), and the
 * bad ones made from them by hand: forged headers, polyglots, truncations.
 */
final class ImageBytes {
    static final byte[] HTML = "<html><body><script>alert(document.cookie)</script></body></html>\n"
            .getBytes(StandardCharsets.US_ASCII);

    private ImageBytes() {
    }

    /** webp reads a test resource from {@code images/}. */
    static byte[] webp(String name) {
        try (InputStream in = ImageBytes.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource images/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** pngChunk is one PNG chunk with its length and CRC. */
    static byte[] pngChunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** ihdr is an 8-bit RGB PNG header chunk declaring any size. */
    static byte[] ihdr(int width, int height) {
        return pngChunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
    }

    /** withText inserts a tEXt chunk ("Comment") right after a PNG's IHDR. */
    static byte[] withText(byte[] png, String comment) {
        byte[] text = pngChunk("tEXt", ("Comment\u0000" + comment).getBytes(StandardCharsets.ISO_8859_1));
        return concat(Arrays.copyOf(png, 33), text, Arrays.copyOfRange(png, 33, png.length));
    }

    static byte[] pngSignature() {
        return new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    }

    /**
     * pngBomb is a complete, well-formed PNG of a few hundred bytes that declares width x height
     * pixels, all black: its IDAT is the deflated first rows (a decoder would inflate the rest to
     * gigabytes; here the stream simply ends early, which only a full decode would notice).
     */
    static byte[] pngBomb(int width, int height) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(new byte[(width * 3 + 1) * 4]);
        deflater.finish();
        byte[] buf = new byte[64 * 1024];
        int n = deflater.deflate(buf);
        deflater.end();
        return concat(pngSignature(), ihdr(width, height), pngChunk("IDAT", Arrays.copyOf(buf, n)),
                pngChunk("IEND", new byte[0]));
    }

    /** jpegWithApp1 inserts {@code segments} APP1 segments of 65,533 bytes each right after SOI. */
    static byte[] jpegWithApp1(byte[] jpeg, int segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        byte[] payload = new byte[65_533];
        Arrays.fill(payload, (byte) 'x');
        for (int i = 0; i < segments; i++) {
            out.write(0xFF);
            out.write(0xE1);
            out.write(0xFF);
            out.write(0xFF); // length 65,535 counts itself
            out.write(payload, 0, payload.length);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** withJpegSize rewrites the width and height in a JPEG's baseline frame header (SOF0). */
    static byte[] withJpegSize(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        for (int i = 2; i + 9 < out.length; i++) {
            if ((out[i] & 0xFF) == 0xFF && (out[i + 1] & 0xFF) == 0xC0) {
                out[i + 5] = (byte) (height >> 8);
                out[i + 6] = (byte) height;
                out[i + 7] = (byte) (width >> 8);
                out[i + 8] = (byte) width;
                return out;
            }
        }
        throw new IllegalArgumentException("no SOF0 in this JPEG");
    }

    /** withGifScreen rewrites a GIF's logical screen size. */
    static byte[] withGifScreen(byte[] gif, int width, int height) {
        byte[] out = gif.clone();
        out[6] = (byte) width;
        out[7] = (byte) (width >> 8);
        out[8] = (byte) height;
        out[9] = (byte) (height >> 8);
        return out;
    }

    /** withWebpCanvas rewrites the canvas size of a VP8X WebP file. */
    static byte[] withWebpCanvas(byte[] webp, int width, int height) {
        byte[] out = webp.clone();
        int w = width - 1;
        int h = height - 1;
        out[24] = (byte) w;
        out[25] = (byte) (w >> 8);
        out[26] = (byte) (w >> 16);
        out[27] = (byte) h;
        out[28] = (byte) (h >> 8);
        out[29] = (byte) (h >> 16);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
