package shop.media;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.deadline.Deadline;
import shop.platform.metrics.Metrics;

/**
 * UploadCompleteHandler is UploadCompleteFunction, triggered by S3 ObjectCreated under
 * {@code uploads/} (never under {@code images/}, where it copies verified images to, so its own
 * copies do not trigger it): each record is handed to {@link UploadCompletion} on its own, so one bad record
 * does not stop the others. If any record failed for a reason that may pass (the database or
 * DynamoDB down), the invocation ends with an error once all records were tried, and Lambda retries
 * the whole event; the records that were applied are no-ops the second time. A rejected object is
 * an answer, not a failure. Each invocation counts its outcomes through {@link Metrics} (the
 * project's metrics, flushed as one EMF line when the invocation ends: namespace ShopBackend,
 * {@code Service} = {@value #METRICS_SERVICE}): UploadsStored, UploadsRejected, UploadsIgnored and
 * UploadsFailed, which the template's operations dashboard graphs under the same dimension.
 */
public final class UploadCompleteHandler implements RequestHandler<S3Event, UploadCompleteHandler.Report> {
    private static final Logger LOG = LoggerFactory.getLogger(UploadCompleteHandler.class);
    /** METRICS_SERVICE is the {@code Service} dimension of this function's metrics (as ApiHandler names its own). */
    public static final String METRICS_SERVICE = "upload-complete";

    private final UploadCompletion completion;
    private final String bucket;
    private final Metrics metrics;

    /** Lambda's constructor. */
    public UploadCompleteHandler() {
        this(Env.system());
    }

    /** The local runner's constructor. */
    public UploadCompleteHandler(Env env) {
        this(env, Clock.systemUTC());
    }

    /**
     * The wired function with the clock it reads "now" from (when a ticket's life ended, when a
     * decision was made), so that a test can run it as it runs days after an upload.
     */
    public UploadCompleteHandler(Env env, Clock clock) {
        this(MediaConfig.Complete.from(env), AwsConfig.from(env), DbConfig.from(env), clock);
    }

    private UploadCompleteHandler(MediaConfig.Complete cfg, AwsConfig aws, DbConfig db, Clock clock) {
        this(new UploadCompletion(new DynamoUploadTicketRepository(AwsClients.dynamo(aws), cfg.ticketsTable()),
                new JdbcTargetRepository(Database.pool(db, aws, "upload-complete")),
                new S3ObjectStore(AwsClients.s3(aws), null, cfg.bucket()), new ImageInspector(cfg.imageLimits()),
                cfg.publicBaseUrl(), clock),
                cfg.bucket());
    }

    /** Tests' constructor. */
    UploadCompleteHandler(UploadCompletion completion, String bucket) {
        this(completion, bucket, Metrics.get());
    }

    /** Tests' constructor, with the metrics written by {@code metrics} instead of this environment's. */
    UploadCompleteHandler(UploadCompletion completion, String bucket, Metrics metrics) {
        this.completion = completion;
        this.bucket = bucket;
        this.metrics = metrics;
    }

    /**
     * Report says what each record led to, in order.
     *
     * @param outcomes one per record
     */
    public record Report(List<UploadCompletion.Outcome> outcomes) {
    }

    /** UploadBatchFailedException ends an invocation that Lambda should retry. */
    public static final class UploadBatchFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UploadBatchFailedException(String message, Throwable first) {
            super(message, first);
        }
    }

    /**
     * handleRequest checks each record within the invocation's time ({@link Deadline#untilTimeout}): S3
     * and database calls end by it, so none runs on after Lambda ended the invocation.
     */
    @Override
    public Report handleRequest(S3Event event, Context context) {
        PowertoolsLogging.initializeLogging(context);
        try {
            return Deadline.untilTimeout(context).run(() -> handleRecords(event));
        } finally {
            metrics.flush(METRICS_SERVICE); // one line: what the records led to, and whatever else was counted
            PowertoolsLogging.clearState(true);
        }
    }

    private Report handleRecords(S3Event event) {
        List<UploadCompletion.Outcome> outcomes = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        List<S3EventNotificationRecord> records = event == null || event.getRecords() == null ? List.of()
                : event.getRecords();
        for (S3EventNotificationRecord record : records) {
            try {
                outcomes.add(handle(record));
            } catch (RuntimeException e) {
                LOG.error("upload record for key {} failed; the invocation will be retried",
                        record.getS3() == null ? null : record.getS3().getObject().getKey(), e);
                failures.add(e);
                outcomes.add(new UploadCompletion.Outcome.Ignored("failed: " + e.getMessage()));
            }
        }
        count(outcomes, failures.size());
        if (!failures.isEmpty()) {
            throw new UploadBatchFailedException(failures.size() + " of " + records.size()
                    + " upload records failed; retry the event", failures.getFirst());
        }
        return new Report(outcomes);
    }

    /**
     * count records what the records led to; a failed record is counted as failed, not ignored. Zeros
     * are recorded too and left out of the line, as EMF lines of every function are.
     */
    private void count(List<UploadCompletion.Outcome> outcomes, int failed) {
        long stored = outcomes.stream().filter(o -> o instanceof UploadCompletion.Outcome.Stored).count();
        long rejected = outcomes.stream().filter(o -> o instanceof UploadCompletion.Outcome.Rejected).count();
        long ignored = outcomes.size() - stored - rejected - failed;
        metrics.add("UploadsStored", stored, "Count");
        metrics.add("UploadsRejected", rejected, "Count");
        metrics.add("UploadsIgnored", ignored, "Count");
        metrics.add("UploadsFailed", failed, "Count");
    }

    private UploadCompletion.Outcome handle(S3EventNotificationRecord record) {
        String name = record.getEventName() == null ? "" : record.getEventName();
        if (!name.startsWith("ObjectCreated:") && !name.startsWith("s3:ObjectCreated:")) {
            return new UploadCompletion.Outcome.Ignored("not an ObjectCreated event: " + name);
        }
        String eventBucket = record.getS3().getBucket().getName();
        if (!bucket.equals(eventBucket)) {
            LOG.warn("event from bucket {} ignored; this function serves {}", eventBucket, bucket);
            return new UploadCompletion.Outcome.Ignored("another bucket: " + eventBucket);
        }
        String raw = record.getS3().getObject().getKey();
        String key;
        try {
            key = decodeKey(raw);
        } catch (IllegalArgumentException e) {
            LOG.warn("object key {} is not URL-encoded as S3 encodes keys; left alone", raw);
            return new UploadCompletion.Outcome.Ignored("undecodable key");
        }
        var object = record.getS3().getObject();
        // When S3 created the object and which object it was: what the ticket is judged by, however
        // late this event is handled (Lambda's retries, or a redrive from FailedEventsQueue days later).
        Optional<Instant> createdAt = Optional.ofNullable(record.getEventTime()).map(t -> Instant.ofEpochMilli(t.getMillis()));
        Optional<String> etag = Optional.ofNullable(object.geteTag()).filter(e -> !e.isBlank());
        return completion.complete(new UploadCompletion.ObjectCreated(key, object.getSequencer(), createdAt, etag));
    }

    /**
     * decodeKey undoes the encoding S3 applies to keys in event notifications: form encoding, where
     * {@code +} is a space and {@code %XX} are UTF-8 bytes ({@code %2B} is a plus sign).
     */
    public static String decodeKey(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }
}
