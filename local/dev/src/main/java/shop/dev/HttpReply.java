package shop.dev;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HttpReply is the response the gateway answers with.
 *
 * @param status  HTTP status
 * @param headers header names with their values
 * @param body    body bytes (empty for none)
 */
record HttpReply(int status, Map<String, List<String>> headers, byte[] body) {
    /** of builds a reply with single-valued headers and a text body. */
    static HttpReply of(int status, Map<String, String> headers, String body) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        return new HttpReply(status, h, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

    /** text returns the body as UTF-8, for tests and logs. */
    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
