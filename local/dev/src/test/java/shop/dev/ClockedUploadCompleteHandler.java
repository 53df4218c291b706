package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import shop.media.UploadCompleteHandler;
import shop.platform.config.Env;

/**
 * ClockedUploadCompleteHandler is the real UploadCompleteFunction, wired from the runner's
 * environment like any function, whose clock the test moves ({@link #LATER}): the runner then
 * serves a redrive as Lambda would days after the upload. It keeps what every invocation it
 * completed led to, so a test can wait for an event whose outcome changes nothing it could see.
 */
public final class ClockedUploadCompleteHandler implements RequestHandler<S3Event, UploadCompleteHandler.Report> {
    /** LATER is how far ahead of the machine's clock the function's clock runs. */
    static final AtomicReference<Duration> LATER = new AtomicReference<>(Duration.ZERO);
    /** HANDLED are the events handled and what each led to, in order. */
    static final List<Handled> HANDLED = new CopyOnWriteArrayList<>();

    /** Handled is one invocation: the keys of its records (as in the event) and its report. */
    record Handled(List<String> keys, UploadCompleteHandler.Report report) {
    }

    private static final Clock CLOCK = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(LATER.get());
        }
    };

    private final UploadCompleteHandler handler;

    public ClockedUploadCompleteHandler(Env env) {
        this.handler = new UploadCompleteHandler(env, CLOCK);
    }

    @Override
    public UploadCompleteHandler.Report handleRequest(S3Event event, Context context) {
        UploadCompleteHandler.Report report = handler.handleRequest(event, context);
        HANDLED.add(new Handled(event.getRecords().stream().map(r -> r.getS3().getObject().getKey()).toList(), report));
        return report;
    }
}
