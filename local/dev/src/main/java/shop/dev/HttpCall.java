package shop.dev;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HttpCall is one HTTP request as the gateway sees it, independent of the server that took it.
 *
 * @param method    HTTP method, upper case
 * @param path      the path, still percent-encoded
 * @param rawQuery  the query string without '?', still encoded, or null
 * @param headers   header names (Train-Case) with their values in arrival order
 * @param body      the body bytes (empty when none)
 * @param sourceIp  the client's address
 */
record HttpCall(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body,
                String sourceIp) {
    HttpCall {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        body = body == null ? new byte[0] : body;
    }

    /** header returns the last value of a header, matched case-insensitively. */
    Optional<String> header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().getLast()).findFirst();
    }
}
