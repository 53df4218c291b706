package shop.platform.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import shop.platform.error.ConflictException;
import shop.platform.error.InvalidInputException;
import shop.platform.http.ApiRequest;
import shop.platform.http.ApiResponse;
import shop.platform.json.Json;

/**
 * Idempotency honours the {@code Idempotency-Key} header on creates: the same key with the same
 * body within the retention answers the first response again and creates nothing; the same key
 * with a different body is a 409; a key whose request is still running is a 409 the client may
 * retry. Only successful responses are kept; a failed request releases its key.
 */
public final class Idempotency {
    /** HEADER is the request header that carries the key. */
    public static final String HEADER = "Idempotency-Key";
    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL = Json.MAPPER.copy()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private final IdempotencyStore store;
    private final Clock clock;

    /** Creates the helper over a store. */
    public Idempotency(IdempotencyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * run executes a create once per key: the key is scoped by route and caller, and the body is
     * compared by its JSON content (whitespace and key order do not matter).
     */
    public ApiResponse run(ApiRequest request, Supplier<ApiResponse> create) {
        Optional<String> header = request.header(HEADER);
        if (header.isEmpty()) {
            return create.get();
        }
        String key = header.get();
        if (key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new InvalidInputException(HEADER, "must be 1 to 255 visible ASCII characters");
        }
        String scoped = request.method() + " " + request.resource() + " " + request.caller().subject() + " " + key;
        String fingerprint = fingerprint(request);
        return switch (store.claim(scoped, fingerprint, clock.instant())) {
            case IdempotencyStore.Claim.Replay r -> new ApiResponse(r.status(), r.body(),
                    Map.of("Idempotent-Replayed", "true"));
            case IdempotencyStore.Claim.Mismatch m -> throw new ConflictException("idempotency-key-reused",
                    "Idempotency key reused", "This Idempotency-Key was used with a different request body.",
                    Map.of());
            case IdempotencyStore.Claim.InProgress p -> throw new ConflictException("idempotency-in-progress",
                    "Request in progress", "A request with this Idempotency-Key is still running; retry shortly.",
                    Map.of());
            case IdempotencyStore.Claim.Fresh f -> {
                ApiResponse response;
                try {
                    response = create.get();
                } catch (RuntimeException e) {
                    store.release(scoped, fingerprint);
                    throw e;
                }
                if (response.status() >= 200 && response.status() < 300) {
                    String body = response.body() instanceof String s ? s : Json.write(response.body());
                    store.complete(scoped, fingerprint, response.status(), body, clock.instant());
                    yield new ApiResponse(response.status(), body, response.headers());
                }
                store.release(scoped, fingerprint);
                yield response;
            }
        };
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
