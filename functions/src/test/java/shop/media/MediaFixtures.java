package shop.media;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.Env;
import shop.platform.json.Json;
import shop.testing.TestStack;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * MediaFixtures gives the media tests real collaborators on the local stack, catalog rows to upload
 * images for, objects in the local S3, and S3 events in the notification format of
 * {@code events/upload-complete-s3-put.json}.
 */
final class MediaFixtures {
    static final long MAX_BYTES = 64 * 1024;
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime() & 0xFFFFFFFFL);

    final TestStack test = TestStack.get();
    /** The local stand-in of the images distribution: what PUBLIC_IMAGE_BASE_URL points at locally. */
    final String cdn = test.stack().imagesBaseUrl().orElseThrow().toString();
    final Env env = test.env(Map.of("UPLOAD_MAX_BYTES", Long.toString(MAX_BYTES), "UPLOAD_URL_TTL_SECONDS", "300",
            "PUBLIC_IMAGE_BASE_URL", cdn));
    final AwsConfig aws = AwsConfig.from(env);
    final S3Client s3 = AwsClients.s3(aws);
    final S3Presigner presigner = AwsClients.presigner(aws);
    final DynamoDbClient dynamo = AwsClients.dynamo(aws);
    final String bucket = env.require("IMAGES_BUCKET");
    final String ticketsTable = env.require("UPLOAD_TICKETS_TABLE");
    final String publicBase = env.require("PUBLIC_IMAGE_BASE_URL");
    final DataSource db = test.dataSource();
    final DynamoUploadTicketRepository tickets = new DynamoUploadTicketRepository(dynamo, ticketsTable);
    final S3ObjectStore objects = new S3ObjectStore(s3, presigner, bucket);

    UploadService service(Clock clock) {
        return new UploadService(tickets, new JdbcTargetRepository(db), objects,
                new UploadService.Limits(MAX_BYTES, java.time.Duration.ofSeconds(300)), clock);
    }

    UploadCompleteHandler completeHandler(DataSource dataSource, Clock clock) {
        return new UploadCompleteHandler(new UploadCompletion(tickets, new JdbcTargetRepository(dataSource), objects,
                new ImageInspector(ImageInspector.Limits.DEFAULT), publicBase, clock), bucket);
    }

    UploadCompleteHandler completeHandler() {
        return completeHandler(db, Clock.systemUTC());
    }

    /** completeHandler with other collaborators, for fault injection. */
    UploadCompleteHandler completeHandler(TargetRepository targets, ObjectStore store) {
        return new UploadCompleteHandler(new UploadCompletion(tickets, targets, store,
                new ImageInspector(ImageInspector.Limits.DEFAULT), publicBase, Clock.systemUTC()), bucket);
    }

    // ---------------------------------------------------------------- catalog rows

    long brand() {
        return insert("INSERT INTO brand (name) VALUES (?)", "media-brand-" + UUID.randomUUID().toString().substring(0, 20));
    }

    long goods() {
        long brand = brand();
        long category = insert("INSERT INTO category (name, level) VALUES (?, 1)", "media-cat");
        String sql = "INSERT INTO goods (category_id, brand_id, name, goods_sn, shop_price, images, desc_images)"
                + " VALUES (" + category + ", " + brand + ", 'media goods', ?, 100, '[]', '[]')";
        return insert(sql, "M-" + UUID.randomUUID().toString().substring(0, 30));
    }

    long banner() {
        return insert("INSERT INTO banner (url) VALUES (?)", "https://shop.example/promo");
    }

    void softDeleteGoods(long id) {
        exec("UPDATE goods SET deleted_at = CURRENT_TIMESTAMP(3) WHERE id = " + id);
    }

    void setGallery(long id, List<String> urls) {
        exec("UPDATE goods SET images = '" + Json.write(urls).replace("'", "''") + "' WHERE id = " + id);
    }

    void deleteBanner(long id) {
        exec("DELETE FROM banner WHERE id = " + id);
    }

    /** row returns a catalog row's image columns as text. */
    Map<String, String> goodsImages(long id) {
        return row("SELECT goods_front_image, images, desc_images FROM goods WHERE id = " + id);
    }

    String bannerImage(long id) {
        return row("SELECT image FROM banner WHERE id = " + id).get("image");
    }

    String brandLogo(long id) {
        return row("SELECT logo FROM brand WHERE id = " + id).get("logo");
    }

    List<String> jsonList(String json) {
        try {
            List<String> out = new ArrayList<>();
            Json.MAPPER.readTree(json).forEach(n -> out.add(n.asText()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> row(String sql) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                return Map.of();
            }
            Map<String, String> out = new java.util.HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private long insert(String sql, String param) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, param);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private void exec(String sql) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    // ---------------------------------------------------------------- objects and tickets

    static byte[] png(int width, int height) {
        return image("png", width, height, BufferedImage.TYPE_INT_RGB);
    }

    static byte[] jpeg(int width, int height) {
        return image("jpg", width, height, BufferedImage.TYPE_INT_RGB);
    }

    static byte[] gif(int width, int height) {
        return image("gif", width, height, BufferedImage.TYPE_BYTE_INDEXED);
    }

    private static byte[] image(String format, int width, int height, int type) {
        BufferedImage img = new BufferedImage(width, height, type);
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                img.setRGB(x, y, (x * 40) << 16 | (y * 40) << 8 | 0x80);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    void put(String key, byte[] bytes, String contentType) {
        s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    /** servedUrl is the public URL of the served copy of the upload at {@code uploadKey}. */
    String servedUrl(String uploadKey) {
        return publicBase + "/" + UploadKey.servedKey(uploadKey);
    }

    software.amazon.awssdk.services.s3.model.HeadObjectResponse head(String key) {
        return s3.headObject(r -> r.bucket(bucket).key(key));
    }

    byte[] bytes(String key) {
        return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
    }

    boolean exists(String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    UploadTicket ticket(String uploadId) {
        return tickets.find(uploadId).orElseThrow(() -> new AssertionError("no ticket " + uploadId));
    }

    int ticketCount() {
        return dynamo.scan(r -> r.tableName(ticketsTable).select("COUNT").consistentRead(true)).count();
    }

    // ---------------------------------------------------------------- S3 events

    /** nextSequencer returns a sequencer larger than every one handed out before (hex, 18 digits). */
    static String nextSequencer() {
        return String.format("%018X", SEQ.addAndGet(0x1000));
    }

    /**
     * Rec is one record of an event.
     *
     * @param encodedKey the key as S3 puts it in the event (URL-encoded)
     * @param size       the object size
     * @param sequencer  the sequencer
     */
    record Rec(String encodedKey, long size, String sequencer) {
        static Rec of(String key, long size, String sequencer) {
            return new Rec(java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("%2F", "/"), size, sequencer);
        }
    }

    /**
     * event builds an S3Event from {@code events/upload-complete-s3-put.json}, one record per
     * {@link Rec}, and loads it through {@link EventLoader} as the Lambda runtime would.
     */
    S3Event event(Rec... recs) {
        try {
            ObjectNode sample = (ObjectNode) Json.MAPPER.readTree(Files.readString(Path.of("../events/upload-complete-s3-put.json")));
            JsonNode template = sample.get("Records").get(0);
            ArrayNode records = Json.MAPPER.createArrayNode();
            for (Rec rec : recs) {
                ObjectNode r = template.deepCopy();
                ObjectNode s3 = (ObjectNode) r.get("s3");
                ((ObjectNode) s3.get("bucket")).put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
                ((ObjectNode) s3.get("object")).put("key", rec.encodedKey()).put("size", rec.size())
                        .put("sequencer", rec.sequencer());
                records.add(r);
            }
            sample.set("Records", records);
            Path file = Files.createTempFile("s3-event", ".json");
            Files.writeString(file, Json.write(sample));
            try {
                return EventLoader.loadS3Event(file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
