package shop.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * FailedEvents is the local stand-in for the template's FailedEventsQueue: where the runner keeps an
 * asynchronous event (S3, schedule) once its two retries failed, as Lambda's on-failure destination
 * would. Each event is one JSON file holding the record Lambda sends to the destination
 * ({@code requestContext.functionArn}, {@code requestPayload}, {@code responsePayload} with the
 * error), so what {@code ./dev redrive} replays locally has the shape {@code ./dev redrive --stack}
 * reads from SQS. The files live in {@code .stack/failed-events/} and outlive the runner.
 */
final class FailedEvents {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS")
            .withZone(ZoneOffset.UTC);

    /**
     * Entry is one kept event.
     *
     * @param id          the file name without {@code .json}; sorts by time
     * @param functionId  the function's logical id
     * @param failedAt    when the last attempt failed
     * @param attempts    how many times it was invoked
     * @param errorType   the last error's type
     * @param errorMessage the last error's message
     * @param eventJson   the event, as the function received it
     */
    record Entry(String id, String functionId, Instant failedAt, int attempts, String errorType, String errorMessage,
                 String eventJson) {
    }

    private final Path dir;
    private final Clock clock;

    FailedEvents(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /** in returns the store of a project root ({@code .stack/failed-events}). */
    static FailedEvents in(Path root) {
        return new FailedEvents(root.resolve(".stack").resolve("failed-events"), Clock.systemUTC());
    }

    /** dir is where the files are. */
    Path dir() {
        return dir;
    }

    /** add keeps an event whose retries were exhausted; returns it with its id. */
    Entry add(String functionId, String requestId, String eventJson, int attempts, String errorType, String errorMessage) {
        Instant now = clock.instant();
        String id = ID_TIME.format(now) + "-" + functionId + "-" + requestId.substring(0, Math.min(8, requestId.length()));
        ObjectNode record = ProxyEvent.JSON.createObjectNode();
        record.put("version", "1.0");
        record.put("timestamp", now.toString());
        ObjectNode context = record.putObject("requestContext");
        context.put("requestId", requestId);
        context.put("functionArn", functionArn(functionId));
        context.put("condition", "RetriesExhausted");
        context.put("approximateInvokeCount", attempts);
        try {
            record.set("requestPayload", ProxyEvent.JSON.readTree(eventJson));
        } catch (IOException e) {
            record.put("requestPayload", eventJson);
        }
        ObjectNode response = record.putObject("responseContext");
        response.put("statusCode", 200);
        response.put("executedVersion", "$LATEST");
        response.put("functionError", "Unhandled");
        ObjectNode payload = record.putObject("responsePayload");
        payload.put("errorMessage", errorMessage);
        payload.put("errorType", errorType);
        payload.putArray("stackTrace");
        write(id, record.toPrettyString());
        return new Entry(id, functionId, now, attempts, errorType, errorMessage, eventJson);
    }

    /** functionArn is the alias ARN a deployed function's destination record names. */
    static String functionArn(String functionId) {
        return "arn:aws:lambda:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT + ":function:" + functionId + ":live";
    }

    /** functionIdOf takes the function name out of a (local) function ARN: the part after {@code function:}. */
    static String functionIdOf(String functionArn) {
        String[] parts = functionArn.split(":");
        return parts.length >= 7 ? parts[6] : functionArn;
    }

    /** list returns every kept event, oldest first. */
    List<Entry> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                String id = file.getFileName().toString().replaceFirst("\\.json$", "");
                find(id).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort(Comparator.comparing(Entry::id));
        return out;
    }

    /** find reads one kept event. */
    Optional<Entry> find(String id) {
        if (!id.matches("[A-Za-z0-9._-]+")) {
            return Optional.empty();
        }
        try {
            JsonNode record = ProxyEvent.JSON.readTree(Files.readString(dir.resolve(id + ".json"), StandardCharsets.UTF_8));
            JsonNode context = record.path("requestContext");
            JsonNode payload = record.path("requestPayload");
            JsonNode error = record.path("responsePayload");
            return Optional.of(new Entry(id, functionIdOf(context.path("functionArn").asText()),
                    Instant.parse(record.path("timestamp").asText()), context.path("approximateInvokeCount").asInt(),
                    error.path("errorType").asText(), error.path("errorMessage").asText(),
                    payload.isTextual() ? payload.asText() : payload.toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("failed event " + dir.resolve(id + ".json") + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** remove deletes a kept event (after a successful redrive); false when it was not there. */
    boolean remove(String id) {
        try {
            return Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete failed event " + id, e);
        }
    }

    private void write(String id, String json) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, id, ".tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir.resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(id + ".json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the failed event in " + dir, e);
        }
    }
}
