package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.Env;
import shop.stack.LocalStack;
import shop.stack.StackExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 bridge against the stack's S3Mock, delivering to a recording handler. */
@ExtendWith(StackExtension.class)
class S3BridgeTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path failedRoot;
    private S3Client s3;
    private AsyncInvoker invoker;
    private S3Bridge bridge;
    private String bucket;
    private S3Bridge.Subscription subscription;

    @BeforeEach
    void start(LocalStack stack) {
        RecordingHandlers.S3.RECEIVED.clear();
        RecordingHandlers.S3.FAILURES.set(0);
        RecordingHandlers.S3.ATTEMPTS.set(0);
        s3 = AwsClients.s3(AwsConfig.from(Env.of(stack.endpoints().toEnvironment())));
        bucket = stack.resources().name("ImagesBucket");
        // A prefix of its own, so earlier objects and other tests do not fire here.
        String prefix = "uploads/" + UUID.randomUUID() + "/";
        List<S3Bridge.Subscription> fromTemplate = S3Bridge.fromTemplate(Fixtures.TEMPLATE, stack.resources().physicalIds());
        assertEquals(List.of(new S3Bridge.Subscription("UploadCompleteFunction", "ImageUploaded", bucket, "uploads/", "")),
                fromTemplate);
        subscription = new S3Bridge.Subscription("UploadCompleteFunction", "ImageUploaded", bucket, prefix, "");
        LambdaFunctions functions = Fixtures.functions(Map.of("UploadCompleteFunction",
                RecordingHandlers.S3.class.getName() + "::handleRequest"));
        invoker = new AsyncInvoker(functions, List.of(Duration.ofMillis(50), Duration.ofMillis(100)),
                FailedEvents.in(failedRoot));
        bridge = new S3Bridge(s3, List.of(subscription), Duration.ofMillis(100), invoker, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        bridge.close();
        invoker.close();
        s3.close();
    }

    private String put(String key, String content) {
        return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content)).eTag().replace("\"", "");
    }

    @Test
    void creation_underThePrefix_deliversTheS3EventRealS3Sends() throws Exception {
        String key = subscription.prefix() + "my photo (1).png";
        String eTag = put(key, "12345");

        S3Event event = RecordingHandlers.S3.RECEIVED.poll(10, TimeUnit.SECONDS);

        assertNotNull(event, "no event within 10 s");
        S3EventNotification.S3EventNotificationRecord record = event.getRecords().getFirst();
        assertEquals("2.1", record.getEventVersion());
        assertEquals("aws:s3", record.getEventSource());
        assertEquals("us-east-1", record.getAwsRegion());
        assertEquals("ObjectCreated:Put", record.getEventName());
        assertNotNull(record.getEventTime());
        assertEquals(bucket, record.getS3().getBucket().getName());
        assertEquals("arn:aws:s3:::" + bucket, record.getS3().getBucket().getArn());
        assertEquals("ImageUploaded", record.getS3().getConfigurationId());
        assertEquals(subscription.prefix() + "my+photo+%281%29.png", record.getS3().getObject().getKey());
        assertEquals(key, record.getS3().getObject().getUrlDecodedKey());
        assertEquals(5L, record.getS3().getObject().getSizeAsLong());
        assertEquals(eTag, record.getS3().getObject().geteTag());
        assertTrue(record.getS3().getObject().getSequencer().matches("[0-9A-F]{16,}"));
    }

    @Test
    void overwrite_firesAgain_withAGreaterSequencer() throws Exception {
        String key = subscription.prefix() + "a.png";
        put(key, "one");
        S3Event first = RecordingHandlers.S3.RECEIVED.poll(10, TimeUnit.SECONDS);
        put(key, "second version");
        S3Event second = RecordingHandlers.S3.RECEIVED.poll(10, TimeUnit.SECONDS);

        assertNotNull(first);
        assertNotNull(second, "the overwrite did not fire");
        String s1 = first.getRecords().getFirst().getS3().getObject().getSequencer();
        String s2 = second.getRecords().getFirst().getS3().getObject().getSequencer();
        assertTrue(s2.compareTo(s1) > 0, s1 + " then " + s2);
        assertEquals(14L, second.getRecords().getFirst().getS3().getObject().getSizeAsLong());
    }

    @Test
    void failingHandler_isRetriedTwice_likeLambdaAsyncInvoke() throws Exception {
        RecordingHandlers.S3.FAILURES.set(2);
        put(subscription.prefix() + "retry.png", "x");

        assertNotNull(RecordingHandlers.S3.RECEIVED.poll(10, TimeUnit.SECONDS), "not delivered on the third attempt");
        assertEquals(3, RecordingHandlers.S3.ATTEMPTS.get());
    }

    @Test
    void handlerFailingThreeTimes_keepsTheEventInTheFailedEventsStore_andARedriveDeliversIt() throws Exception {
        RecordingHandlers.S3.FAILURES.set(3);
        String key = subscription.prefix() + "poison.png";
        put(key, "x");

        FailedEvents store = invoker.failedEvents();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.list().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<FailedEvents.Entry> kept = store.list();
        assertEquals(1, kept.size(), "kept after the third failure: " + kept);
        assertEquals(3, RecordingHandlers.S3.ATTEMPTS.get(), "an attempt and two retries, like Lambda");
        assertNull(RecordingHandlers.S3.RECEIVED.poll(100, TimeUnit.MILLISECONDS));
        FailedEvents.Entry entry = kept.getFirst();
        assertEquals("UploadCompleteFunction", entry.functionId());
        assertEquals(3, entry.attempts());
        assertEquals("java.lang.IllegalStateException", entry.errorType());
        assertEquals("failing on purpose", entry.errorMessage());
        // Lambda's on-failure destination record, as FailedEventsQueue would hold it.
        var record = ProxyEvent.JSON.readTree(store.dir().resolve(entry.id() + ".json").toFile());
        assertEquals("RetriesExhausted", record.at("/requestContext/condition").asText());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:UploadCompleteFunction:live",
                record.at("/requestContext/functionArn").asText());
        assertEquals(key, java.net.URLDecoder.decode(record.at("/requestPayload/Records/0/s3/object/key").asText(),
                java.nio.charset.StandardCharsets.UTF_8));

        List<AsyncInvoker.Redriven> results = invoker.redrive(List.of());

        assertEquals(List.of(new AsyncInvoker.Redriven(entry.id(), "UploadCompleteFunction", "redriven", "")), results);
        S3Event event = RecordingHandlers.S3.RECEIVED.poll(1, TimeUnit.SECONDS);
        assertNotNull(event, "the redrive did not reach the handler");
        assertEquals(key, event.getRecords().getFirst().getS3().getObject().getUrlDecodedKey());
        assertTrue(store.list().isEmpty(), "a redriven event leaves the store");
        assertEquals(List.of(new AsyncInvoker.Redriven(entry.id(), "", "absent", "no kept event with this id")),
                invoker.redrive(List.of(entry.id())));
    }

    @Test
    void objectsOutsideThePrefix_doNotFire() throws Exception {
        put("elsewhere/" + UUID.randomUUID() + ".png", "x");
        put(subscription.prefix() + "marker.png", "x");

        S3Event event = RecordingHandlers.S3.RECEIVED.poll(10, TimeUnit.SECONDS);
        assertNotNull(event);
        assertEquals(subscription.prefix() + "marker.png", event.getRecords().getFirst().getS3().getObject().getKey());
        assertNull(RecordingHandlers.S3.RECEIVED.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void encodeKey_encodesLikeS3Notifications() {
        assertEquals("uploads/a+b%2Bc%3D%C3%A9.png", S3Bridge.encodeKey("uploads/a b+c=é.png"));
    }
}
