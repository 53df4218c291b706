package shop.platform.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import shop.platform.auth.Caller;
import shop.platform.error.InvalidInputException;
import shop.platform.error.NotFoundException;
import shop.platform.json.Json;

/**
 * ApiRequest is an API Gateway proxy event with typed, validated access to what handlers need:
 * path ids, query parameters, headers (case-insensitive), the JSON body as a record, and the
 * caller the authorizer vouched for. Every accessor fails with a problem a client can act on.
 */
public final class ApiRequest {
    private final APIGatewayProxyRequestEvent event;
    private final Map<String, String> headers;

    /** Wraps an event. */
    public ApiRequest(APIGatewayProxyRequestEvent event) {
        this.event = event;
        Map<String, String> raw = event.getHeaders() == null ? Map.of() : event.getHeaders();
        this.headers = raw.entrySet().stream().filter(e -> e.getKey() != null && e.getValue() != null)
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT),
                        Map.Entry::getValue, (a, b) -> a));
    }

    /** event returns the underlying event. */
    public APIGatewayProxyRequestEvent event() {
        return event;
    }

    /** method is the HTTP method, upper case. */
    public String method() {
        return event.getHttpMethod() == null ? "" : event.getHttpMethod().toUpperCase(Locale.ROOT);
    }

    /** resource is the route template API Gateway matched, e.g. {@code /goods/{id}}. */
    public String resource() {
        return event.getResource() == null ? "" : event.getResource();
    }

    /** requestId is API Gateway's request id, for logs. */
    public String requestId() {
        var ctx = event.getRequestContext();
        return ctx == null || ctx.getRequestId() == null ? "" : ctx.getRequestId();
    }

    /** header returns a header, matched case-insensitively. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** pathId returns a positive numeric path parameter; anything else is a 404 for that resource. */
    public long pathId(String name) {
        String raw = pathParam(name);
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new NotFoundException("No resource with " + name + " '" + raw + "'.");
    }

    /** pathParam returns a path parameter as given. */
    public String pathParam(String name) {
        Map<String, String> params = event.getPathParameters();
        String value = params == null ? null : params.get(name);
        if (value == null) {
            throw new IllegalStateException("route " + resource() + " has no path parameter " + name);
        }
        return value;
    }

    /** query returns a query parameter, empty when absent or blank. */
    public Optional<String> query(String name) {
        Map<String, String> params = event.getQueryStringParameters();
        String value = params == null ? null : params.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** queryLong returns a whole-number query parameter within [min, max]. */
    public Optional<Long> queryLong(String name, long min, long max) {
        return query(name).map(raw -> {
            long value;
            try {
                value = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(name, "must be a whole number");
            }
            if (value < min || value > max) {
                throw new InvalidInputException(name, "must be between " + min + " and " + max);
            }
            return value;
        });
    }

    /** queryBool returns a true/false query parameter. */
    public Optional<Boolean> queryBool(String name) {
        return query(name).map(raw -> switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new InvalidInputException(name, "must be true or false");
        });
    }

    /** rejectUnknownQuery fails on query parameters the route does not take (a typo must not be ignored). */
    public void rejectUnknownQuery(Set<String> known) {
        Map<String, String> params = event.getQueryStringParameters();
        if (params == null) {
            return;
        }
        List<InvalidInputException.FieldError> errors = params.keySet().stream().filter(k -> !known.contains(k))
                .sorted().map(k -> new InvalidInputException.FieldError(k, "is not a known query parameter"))
                .toList();
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    /** bodyText returns the raw body, base64-decoded when API Gateway encoded it. */
    public String bodyText() {
        String body = event.getBody();
        if (body == null) {
            return "";
        }
        if (Boolean.TRUE.equals(event.getIsBase64Encoded())) {
            return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        return body;
    }

    /** bodyTree parses the body as a JSON object. */
    public JsonNode bodyTree() {
        String text = bodyText();
        if (text.isBlank()) {
            throw new InvalidInputException("", "a JSON body is required");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw new InvalidInputException("", "the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("", "malformed JSON: " + e.getOriginalMessage());
        }
    }

    /** body parses the JSON body into a record; type errors and unknown fields are 400s naming the field. */
    public <T> T body(Class<T> type) {
        JsonNode tree = bodyTree();
        try {
            return Json.MAPPER.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException(path(e), "is not a known field");
        } catch (InvalidFormatException e) {
            throw new InvalidInputException(path(e), "has the wrong type or format");
        } catch (MismatchedInputException e) {
            throw new InvalidInputException(path(e), "has the wrong type");
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.exc.InputCoercionException) {
                throw new InvalidInputException(path(e), "is out of range"); // a number too big for its field
            }
            throw new InvalidInputException("", "malformed JSON: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("", "malformed JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("", e.getMessage());
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** caller returns who the authorizer vouched for (anonymous on public routes). */
    public Caller caller() {
        var ctx = event.getRequestContext();
        return Caller.fromAuthorizerContext(ctx == null ? null : ctx.getAuthorizer());
    }
}
