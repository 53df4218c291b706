package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import shop.platform.config.Env;

/** RecordingHandlers are asynchronous-event handlers that queue what they receive. */
final class RecordingHandlers {
    private RecordingHandlers() {
    }

    /** S3 records S3 events; it fails while FAILURES is above zero, counting down, to exercise the retries. */
    public static final class S3 implements RequestHandler<S3Event, Void> {
        static final BlockingQueue<S3Event> RECEIVED = new LinkedBlockingQueue<>();
        static final AtomicInteger FAILURES = new AtomicInteger();
        static final AtomicInteger ATTEMPTS = new AtomicInteger();

        public S3(Env env) {
        }

        @Override
        public Void handleRequest(S3Event event, Context context) {
            ATTEMPTS.incrementAndGet();
            if (FAILURES.getAndDecrement() > 0) {
                throw new IllegalStateException("failing on purpose");
            }
            RECEIVED.add(event);
            return null;
        }
    }

    /** Schedule records scheduled events and the function name they ran under. */
    public static final class Schedule implements RequestHandler<ScheduledEvent, String> {
        static final BlockingQueue<ScheduledEvent> RECEIVED = new LinkedBlockingQueue<>();

        public Schedule(Env env) {
        }

        @Override
        public String handleRequest(ScheduledEvent event, Context context) {
            RECEIVED.add(event);
            return context.getFunctionName();
        }
    }
}
