package shop.platform.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import shop.platform.error.ConflictException;
import shop.platform.error.InvalidInputException;
import shop.platform.http.ApiRequest;
import shop.platform.http.ApiResponse;
import shop.platform.json.Json;
import shop.platform.metrics.Metrics;

/**
 * Idempotency honours the {@code Idempotency-Key} header on creates: the same key with the same
 * body within the retention answers the first response again (status, body and {@code Location})
 * and creates nothing; the same key with a different body is a 409; a key whose request is still
 * running is a 409 the client may retry. Only successful responses are kept; a request that failed
 * before its create took effect releases its key. A create that took effect is never run again for
 * its key, however its invocation ended (see {@link IdempotencyStore}).
 */
public final class Idempotency {
    /** HEADER is the request header that carries the key. */
    public static final String HEADER = "Idempotency-Key";
    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL = Json.MAPPER.copy()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** Headers a replay repeats. */
    private static final java.util.Set<String> KEPT_HEADERS = java.util.Set.of("Location");
    private final IdempotencyStore store;
    private final Clock clock;

    /** Creates the helper over a store. */
    public Idempotency(IdempotencyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * run executes a create once per key: the key is scoped by route and caller, and the body is
     * compared by its JSON content (whitespace and key order do not matter). The create gets an id
     * reserved for what it makes: the same for every run of one key (a fresh one without a key); a
     * create that writes outside the store's transaction names its resource with it and creates it
     * only if absent.
     */
    public ApiResponse run(ApiRequest request, Function<String, ApiResponse> create) {
        Optional<String> header = request.header(HEADER);
        if (header.isEmpty()) {
            return create.apply(UUID.randomUUID().toString());
        }
        String key = header.get();
        if (key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new InvalidInputException(HEADER, "must be 1 to 255 visible ASCII characters");
        }
        String scoped = request.method() + " " + request.resource() + " " + request.caller().subject() + " " + key;
        String fingerprint = fingerprint(request);
        return switch (store.claim(scoped, fingerprint, clock.instant())) {
            case IdempotencyStore.Claim.Replay r -> {
                Metrics.get().count("IdempotentReplays");
                Map<String, String> headers = new LinkedHashMap<>(r.response().headers());
                headers.put("Idempotent-Replayed", "true");
                yield new ApiResponse(r.response().status(), r.response().body(), headers);
            }
            case IdempotencyStore.Claim.Mismatch m -> throw conflict("IdempotencyKeyReused", "idempotency-key-reused",
                    "Idempotency key reused", "This Idempotency-Key was used with a different request body.",
                    Map.of());
            case IdempotencyStore.Claim.InProgress p -> throw conflict("IdempotencyInProgress", "idempotency-in-progress",
                    "Request in progress", "A request with this Idempotency-Key is still running; retry shortly.",
                    Map.of());
            case IdempotencyStore.Claim.Fresh f -> {
                Map<String, String> otherHeaders = new LinkedHashMap<>();
                IdempotencyStore.Response stored = store.execute(scoped, f, () -> {
                    ApiResponse response = create.apply(f.reservedId());
                    Map<String, String> kept = new LinkedHashMap<>();
                    response.headers().forEach((name, value) -> (KEPT_HEADERS.contains(name) ? kept : otherHeaders)
                            .put(name, value));
                    String body = response.body() == null ? null
                            : response.body() instanceof String s ? s : Json.write(response.body());
                    return new IdempotencyStore.Response(response.status(), body, kept);
                }, clock);
                Map<String, String> headers = new LinkedHashMap<>(otherHeaders);
                headers.putAll(stored.headers());
                yield new ApiResponse(stored.status(), stored.body(), headers);
            }
        };
    }

    /** conflict counts a refused key in the invocation's metrics and builds its 409. */
    private static ConflictException conflict(String metric, String slug, String title, String detail,
                                              Map<String, Object> extensions) {
        Metrics.get().count(metric);
        return new ConflictException(slug, title, detail, extensions);
    }

    private static String fingerprint(ApiRequest request) {
        String canonical;
        String text = request.bodyText();
        try {
            JsonNode tree = Json.MAPPER.readTree(text.isBlank() ? "null" : text);
            canonical = CANONICAL.writeValueAsString(Json.MAPPER.treeToValue(tree, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            canonical = text; // malformed: the create itself will reject it
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
