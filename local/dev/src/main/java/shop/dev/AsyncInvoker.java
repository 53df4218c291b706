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
 * backoff, then the event goes to the {@link FailedEvents} store, as Lambda sends it to the
 * template's on-failure destination. Lambda waits about one and two minutes between tries; locally
 * the waits are short (1 s and 2 s by default). {@link #redrive} replays kept events through the
 * same function once the cause is fixed.
 */
final class AsyncInvoker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("shop.dev.async");

    private final LambdaFunctions functions;
    private final List<Duration> backoff;
    private final FailedEvents failed;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.Set<String> reportedMissing = java.util.concurrent.ConcurrentHashMap.newKeySet();

    AsyncInvoker(LambdaFunctions functions, List<Duration> backoff, FailedEvents failed) {
        this.functions = functions;
        this.backoff = List.copyOf(backoff);
        this.failed = failed;
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
                    keep(functionId, source, eventJson, requestId, attempt + 1, e);
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

    private void keep(String functionId, String source, String eventJson, String requestId, int attempts,
                      LambdaFunctions.FunctionErrorException e) {
        try {
            FailedEvents.Entry entry = failed.add(functionId, requestId, eventJson, attempts, e.errorType(), e.getMessage());
            LOG.error("{} failed on {} after {} attempts; event kept as {} in {} (./dev failed-events lists it, "
                    + "./dev redrive {} replays it once the cause is fixed): {}: {}", functionId, source, attempts,
                    entry.id(), failed.dir(), entry.id(), e.errorType(), e.getMessage(), e.getCause());
        } catch (RuntimeException storeFailure) {
            LOG.error("{} failed on {} after {} attempts and the event could not be kept ({}): {}: {}\n{}", functionId,
                    source, attempts, storeFailure.getMessage(), e.errorType(), e.getMessage(), eventJson, e.getCause());
        }
    }

    /**
     * Redriven is what one redrive of a kept event did.
     *
     * @param id         the kept event's id
     * @param functionId the function it went to
     * @param outcome    {@code redriven} (handled, removed from the store), {@code failed} (kept) or {@code absent}
     * @param error      the error when it failed again, else empty
     */
    record Redriven(String id, String functionId, String outcome, String error) {
    }

    /**
     * redrive replays kept events (all when {@code ids} is empty) through their function, one
     * synchronous invocation each, oldest first: a handled event leaves the store, a failing one stays.
     */
    List<Redriven> redrive(List<String> ids) {
        List<FailedEvents.Entry> entries = ids.isEmpty() ? failed.list()
                : ids.stream().map(id -> failed.find(id).orElse(null)).toList();
        List<Redriven> out = new java.util.ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            FailedEvents.Entry entry = entries.get(i);
            if (entry == null) {
                out.add(new Redriven(ids.get(i), "", "absent", "no kept event with this id"));
                continue;
            }
            try {
                functions.invoke(entry.functionId(), entry.eventJson(), LambdaFunctions.newRequestId());
                failed.remove(entry.id());
                LOG.info("redrove {} through {}: handled, removed from the failed events", entry.id(), entry.functionId());
                out.add(new Redriven(entry.id(), entry.functionId(), "redriven", ""));
            } catch (LambdaFunctions.FunctionErrorException | LambdaFunctions.HandlerMissingException e) {
                String error = (e instanceof LambdaFunctions.FunctionErrorException f ? f.errorType() + ": " : "")
                        + e.getMessage();
                LOG.warn("redrive of {} through {} failed again, kept: {}", entry.id(), entry.functionId(), error);
                out.add(new Redriven(entry.id(), entry.functionId(), "failed", error));
            }
        }
        return out;
    }

    /** failedEvents is the store it keeps exhausted events in. */
    FailedEvents failedEvents() {
        return failed;
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
