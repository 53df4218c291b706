package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pure rules of the media capability: formats, keys, sequencers and S3's key encoding. */
class MediaRulesTest {

    @Test
    void detect_recognisesEachFormatsMagicNumber_andNothingElse() {
        assertEquals(Optional.of(ImageType.PNG), ImageType.detect(MediaFixtures.png(1, 1)));
        assertEquals(Optional.of(ImageType.JPEG), ImageType.detect(MediaFixtures.jpeg(1, 1)));
        assertEquals(Optional.of(ImageType.GIF), ImageType.detect(MediaFixtures.gif(1, 1)));
        assertEquals(Optional.of(ImageType.GIF), ImageType.detect("GIF87a....".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Optional.of(ImageType.WEBP), ImageType.detect("RIFF\u0000\u0001\u0000\u0000WEBPVP8 "
                .getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(Optional.empty(), ImageType.detect("RIFF\u0000\u0001\u0000\u0000WAVEfmt "
                .getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(Optional.empty(), ImageType.detect("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
                .getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Optional.empty(), ImageType.detect("\u0089PN".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(Optional.empty(), ImageType.detect(new byte[0]));
    }

    @Test
    void uploadKey_roundTrips_andRefusesAnythingTheServerDidNotMake() {
        UploadKey key = new UploadKey(UploadTarget.GOODS, 42, "3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40", ImageType.JPEG);
        assertEquals("uploads/goods/42/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.jpg", key.key());
        assertEquals(Optional.of(key), UploadKey.parse(key.key()));
        for (String other : new String[] {"uploads/goods/42/photo.jpg", "uploads/goods/42/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.jpeg",
                "uploads/shop/42/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.jpg", "uploads/goods/042/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.jpg",
                "uploads/goods/42/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.jpg/x", "other/goods/42/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.jpg"}) {
            assertEquals(Optional.empty(), UploadKey.parse(other), other);
        }
        assertTrue(UploadKey.isUploadId("3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40"));
        assertEquals(false, UploadKey.isUploadId("3F1C7A52-9D3E-4B7A-8A55-0C2B9E6D1F40"));
    }

    @Test
    void sequencers_compareAsHexAfterLeftPadding() {
        assertTrue(Sequencer.compare("0055AED6DCD90281E5", "0055AED6DCD90281E6") < 0);
        assertTrue(Sequencer.compare("FF", "0100") < 0, "shorter strings are left-padded, not compared as text");
        assertTrue(Sequencer.compare("100", "FF") > 0);
        assertEquals(0, Sequencer.compare("00ab", "AB"));
        assertTrue(Sequencer.compare(null, "01") < 0);
        assertEquals(0, Sequencer.compare(null, "0"));
    }

    @Test
    void decodeKey_undoesS3sFormEncoding() {
        assertEquals("uploads/banner/1/summer sale ü+€.png",
                UploadCompleteHandler.decodeKey("uploads/banner/1/summer+sale+%C3%BC%2B%E2%82%AC.png"));
        assertEquals("uploads/a%b", UploadCompleteHandler.decodeKey("uploads/a%25b"));
    }

    @Test
    void report_serialisesWithTheLambdaRuntimesSerializer() {
        var out = new java.io.ByteArrayOutputStream();
        com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory.getInstance()
                .getSerializer(UploadCompleteHandler.Report.class).toJson(new UploadCompleteHandler.Report(java.util.List.of(
                        new UploadCompletion.Outcome.Stored("id-1", "https://img/x.png"),
                        new UploadCompletion.Outcome.Rejected("id-2", "too big"),
                        new UploadCompletion.Outcome.Ignored("no ticket"))), out);
        assertEquals("{\"outcomes\":[{\"uploadId\":\"id-1\",\"imageUrl\":\"https://img/x.png\"},"
                + "{\"uploadId\":\"id-2\",\"reason\":\"too big\"},{\"why\":\"no ticket\"}]}", out.toString());
    }
}
