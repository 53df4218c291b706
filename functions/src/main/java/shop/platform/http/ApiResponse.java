package shop.platform.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import shop.platform.json.Json;

/**
 * ApiResponse is a status, headers and a JSON body, turned into the proxy response API Gateway
 * expects.
 *
 * @param status  HTTP status
 * @param body    the body object (serialised as JSON), or null for none
 * @param headers extra headers
 */
public record ApiResponse(int status, Object body, Map<String, String> headers) {

    /** ok is a 200 with a JSON body. */
    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body, Map.of());
    }

    /** created is a 201 with a JSON body and the new resource's location. */
    public static ApiResponse created(Object body, String location) {
        return new ApiResponse(201, body, location == null ? Map.of() : Map.of("Location", location));
    }

    /** noContent is a 204. */
    public static ApiResponse noContent() {
        return new ApiResponse(204, null, Map.of());
    }

    /** of is any status with a JSON body. */
    public static ApiResponse of(int status, Object body) {
        return new ApiResponse(status, body, Map.of());
    }

    /** withHeader is this response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, body, h);
    }

    /** toEvent renders the response, JSON serialised, with the CORS origin and no-sniff headers. */
    public APIGatewayProxyResponseEvent toEvent(String contentType, Cors cors) {
        Map<String, String> h = new LinkedHashMap<>();
        if (body != null) {
            h.put("Content-Type", contentType);
        }
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Access-Control-Allow-Origin", cors.allowOrigin());
        h.put("Access-Control-Expose-Headers", Cors.EXPOSED_HEADERS);
        h.putAll(headers);
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withHeaders(h)
                .withBody(body == null ? null : body instanceof String s ? s : Json.write(body))
                .withIsBase64Encoded(false);
    }
}
