package shop.dev;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AsyncInvoker delivers events the way Lambda's asynchronous invocation does (S3 notifications,
 * EventBridge schedules): off the caller's thread, and when the handler throws, two retries with
 * backoff, then the event is dropped with an error in the log. Lambda waits about one and two
 * minutes between tries; locally the waits are short (1 s and 2 s by default).
 */
final class AsyncInvoker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("shop.dev.async");

    private final LambdaFunctions functions;
    private final List<Duration> backoff;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.Set<String> reportedMissing = java.util.concurrent.ConcurrentHashMap.newKeySet();

    AsyncInvoker(LambdaFunctions functions, List<Duration> backoff) {
        this.functions = functions;
        this.backoff = List.copyOf(backoff);
    }

    /** submit queues one event for a function and returns at once. */
    void submit(String functionId, String source, String eventJson) {
        executor.execute(() -> deliver(functionId, source, eventJson));
    }

    private void deliver(String functionId, String source, String eventJson) {
        for (int attempt = 0; ; attempt++) {
            String requestId = LambdaFunctions.newRequestId();
            try {
                functions.invoke(functionId, eventJson, requestId);
                LOG.info("{} handled {} (attempt {})", functionId, source, attempt + 1);
                return;
            } catch (LambdaFunctions.HandlerMissingException e) {
                if (reportedMissing.add(functionId)) {
                    LOG.warn("{} not delivered (and later events for {} neither, silently): {}", source, functionId,
                            e.getMessage());
                }
                return;
            } catch (LambdaFunctions.FunctionErrorException e) {
                if (attempt >= backoff.size()) {
                    LOG.error("{} failed on {} after {} attempts, event dropped: {}: {}\n{}", functionId, source,
                            attempt + 1, e.errorType(), e.getMessage(), eventJson, e.getCause());
                    return;
                }
                LOG.warn("{} failed on {} (attempt {}): {}: {}; retrying in {} ms", functionId, source, attempt + 1,
                        e.errorType(), e.getMessage(), backoff.get(attempt).toMillis());
                try {
                    Thread.sleep(backoff.get(attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
