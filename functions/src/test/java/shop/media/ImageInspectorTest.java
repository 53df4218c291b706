package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shop.media.ImageBytes.HTML;
import static shop.media.ImageBytes.concat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import shop.media.ImageInspector.Limits;
import shop.media.ImageInspector.Verdict;

/**
 * ImageInspector on real files of every accepted format and on the bad ones: polyglots, bombs,
 * truncations, another format than promised. Each file is given to it as the upload-complete
 * function does: its first {@link ImageInspector#HEAD_WINDOW} bytes and its last
 * {@link ImageInspector#TAIL_BYTES}.
 */
class ImageInspectorTest {
    private final ImageInspector inspector = new ImageInspector(Limits.DEFAULT);

    private static Verdict inspect(ImageInspector inspector, ImageType promised, byte[] file) {
        byte[] head = Arrays.copyOf(file, Math.min(file.length, ImageInspector.HEAD_WINDOW));
        byte[] tail = Arrays.copyOfRange(file, Math.max(0, file.length - ImageInspector.TAIL_BYTES), file.length);
        return inspector.inspect(promised, file.length, head, tail);
    }

    private Verdict inspect(ImageType promised, byte[] file) {
        return inspect(inspector, promised, file);
    }

    private void assertValid(ImageType type, int width, int height, byte[] file) {
        assertEquals(new Verdict.Valid(type, width, height), inspect(type, file));
    }

    private String assertInvalid(ImageType promised, byte[] file, String reasonPart) {
        var invalid = assertInstanceOf(Verdict.Invalid.class, inspect(promised, file));
        assertTrue(invalid.reason().contains(reasonPart), invalid.reason());
        return invalid.reason();
    }

    // ---------------------------------------------------------------- each accepted format

    @Test
    void png_jpeg_gif_fromTheJdksWriters_areValid_withTheirPixelSize() {
        assertValid(ImageType.PNG, 48, 24, MediaFixtures.png(48, 24));
        assertValid(ImageType.JPEG, 33, 17, MediaFixtures.jpeg(33, 17));
        assertValid(ImageType.GIF, 12, 30, MediaFixtures.gif(12, 30));
    }

    @Test
    void webp_lossy_lossless_alpha_andAnimated_fromLibwebp_areValid_withTheirPixelSize() {
        assertValid(ImageType.WEBP, 37, 23, ImageBytes.webp("lossy-37x23.webp"));
        assertValid(ImageType.WEBP, 41, 19, ImageBytes.webp("lossless-41x19.webp"));
        assertValid(ImageType.WEBP, 29, 31, ImageBytes.webp("alpha-29x31.webp"));
        assertValid(ImageType.WEBP, 37, 23, ImageBytes.webp("animated-37x23.webp"));
    }

    @Test
    void anotherFormatThanPromised_isRefused_namingBoth() {
        assertEquals("the bytes are a gif image, a png was promised",
                assertInvalid(ImageType.PNG, MediaFixtures.gif(2, 2), "gif"));
        assertInvalid(ImageType.JPEG, ImageBytes.webp("lossy-37x23.webp"), "the bytes are a webp image, a jpeg was promised");
        assertInvalid(ImageType.PNG, HTML, "the bytes are not a png image");
    }

    // ---------------------------------------------------------------- polyglots

    @Test
    void polyglot_pngHeaderFollowedByHtml_isRefused() {
        byte[] file = concat(ImageBytes.pngSignature(), ImageBytes.ihdr(2, 2), HTML);
        // What follows IHDR is read as a chunk: "<htm" as its length, "l><b" as its type.
        assertEquals("the png has a malformed chunk at byte 33", assertInvalid(ImageType.PNG, file, "malformed chunk"));
        // A page whose first bytes happen to make a chunk type still claims a length past the end.
        byte[] page = "\u0000\u0000\u0001\u0000htmL<p>hello</p>".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertInvalid(ImageType.PNG, concat(ImageBytes.pngSignature(), ImageBytes.ihdr(2, 2), page),
                "'htmL' at byte 33 runs past the end of the file");
    }

    @Test
    void polyglot_wholeImageWithAPageAppended_isRefused_inEveryFormat() {
        assertInvalid(ImageType.PNG, concat(MediaFixtures.png(4, 4), HTML), "bytes after its IEND chunk");
        assertInvalid(ImageType.JPEG, concat(MediaFixtures.jpeg(4, 4), HTML), "end-of-image marker");
        assertInvalid(ImageType.GIF, concat(MediaFixtures.gif(4, 4), HTML), "bytes after its trailer");
        // ...even when the page ends with the GIF trailer byte (';').
        assertInvalid(ImageType.GIF, concat(MediaFixtures.gif(4, 4), "alert(1);".getBytes()), "bytes after its trailer");
        assertInvalid(ImageType.WEBP, concat(ImageBytes.webp("lossless-41x19.webp"), HTML), "data after the image");
    }

    // ---------------------------------------------------------------- decompression bombs

    @Test
    void decompressionBomb_tinyPngClaiming50000x50000_isRefused_withoutDecodingIt() {
        byte[] bomb = ImageBytes.pngBomb(50_000, 50_000);
        assertTrue(bomb.length < 1024, "a bomb is tiny: " + bomb.length + " bytes");
        assertEquals("the image is 50000 x 50000 pixels; at most 8000 x 8000 are accepted",
                assertInvalid(ImageType.PNG, bomb, "50000 x 50000"));
    }

    @Test
    void bombs_inTheOtherFormats_areRefused_fromTheirHeaders() {
        assertInvalid(ImageType.JPEG, ImageBytes.withJpegSize(MediaFixtures.jpeg(8, 8), 60_000, 60_000),
                "60000 x 60000 pixels");
        assertInvalid(ImageType.GIF, ImageBytes.withGifScreen(MediaFixtures.gif(2, 2), 65_535, 65_535),
                "screen is 65535 x 65535");
        assertInvalid(ImageType.WEBP, ImageBytes.withWebpCanvas(ImageBytes.webp("alpha-29x31.webp"), 16_384, 16_384),
                "16384 x 16384");
    }

    @Test
    void limits_areInclusive_andApplyToWidthAndHeightEach() {
        byte[] png = MediaFixtures.png(20, 10);
        assertEquals(new Verdict.Valid(ImageType.PNG, 20, 10), inspect(new ImageInspector(new Limits(20, 10)), ImageType.PNG, png));
        assertInstanceOf(Verdict.Invalid.class, inspect(new ImageInspector(new Limits(19, 10)), ImageType.PNG, png));
        assertInstanceOf(Verdict.Invalid.class, inspect(new ImageInspector(new Limits(20, 9)), ImageType.PNG, png));
        assertInstanceOf(Verdict.Valid.class, inspect(ImageType.PNG, ImageBytes.pngBomb(8000, 8000)));
    }

    // ---------------------------------------------------------------- truncated files

    @Test
    void truncatedFiles_areRefused_inEveryFormat() {
        byte[] png = MediaFixtures.png(40, 40);
        byte[] jpeg = MediaFixtures.jpeg(40, 40);
        byte[] gif = MediaFixtures.gif(40, 40);
        byte[] webp = ImageBytes.webp("lossy-37x23.webp");
        assertInvalid(ImageType.PNG, Arrays.copyOf(png, png.length / 2), "runs past the end of the file");
        assertInvalid(ImageType.PNG, Arrays.copyOf(png, png.length - 12), "does not end with its IEND chunk");
        assertInvalid(ImageType.PNG, Arrays.copyOf(png, 20), "png header is invalid");
        assertInvalid(ImageType.JPEG, Arrays.copyOf(jpeg, jpeg.length / 2), "end-of-image marker");
        assertInvalid(ImageType.JPEG, Arrays.copyOf(jpeg, 40), "jpeg header is invalid");
        assertInvalid(ImageType.GIF, Arrays.copyOf(gif, gif.length - 5), "does not end with its trailer");
        assertInvalid(ImageType.GIF, Arrays.copyOf(gif, 12), "gif header is invalid");
        assertInvalid(ImageType.WEBP, Arrays.copyOf(webp, webp.length / 2), "(truncated)");
        assertInvalid(ImageType.WEBP, Arrays.copyOf(webp, 20), "too short");
    }

    @Test
    void aPngChunkWithABadChecksum_isRefused() {
        byte[] png = MediaFixtures.png(4, 4);
        png[8 + 8 + 13] ^= 0x01; // first byte of IHDR's CRC
        assertInvalid(ImageType.PNG, png, "'IHDR' at byte 8 has a bad checksum");
    }

    // ---------------------------------------------------------------- what is read, and what is not

    @Test
    void onlyTheHeaderIsDecoded_aPngWithCorruptPixelDataPasses_becauseItsPixelsAreNeverRead() {
        // 4,000 x 4,000 pixels declared, image data that is not even a zlib stream, chunks intact:
        // a full decode would fail (and allocate 48 MB); the header check neither decodes nor notices.
        byte[] file = concat(ImageBytes.pngSignature(), ImageBytes.ihdr(4000, 4000),
                ImageBytes.pngChunk("IDAT", "not a zlib stream".getBytes()), ImageBytes.pngChunk("IEND", new byte[0]));
        assertValid(ImageType.PNG, 4000, 4000, file);
    }

    @Test
    void jpegFrameHeader_isFoundAfterLargeMetadata_withinTheWindow_andRefusedBeyondIt() {
        byte[] jpeg = MediaFixtures.jpeg(16, 9);
        byte[] within = ImageBytes.jpegWithApp1(jpeg, 12); // ~786 KB of APP1 segments before the frame header
        byte[] beyond = ImageBytes.jpegWithApp1(jpeg, 17); // ~1.11 MB
        assertTrue(within.length < ImageInspector.HEAD_WINDOW && beyond.length > ImageInspector.HEAD_WINDOW);
        assertValid(ImageType.JPEG, 16, 9, within);
        assertInvalid(ImageType.JPEG, beyond, "frame header is not within its first 1024 KiB");
    }
}
