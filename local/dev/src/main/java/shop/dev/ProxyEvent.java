package shop.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ProxyEvent builds the JSON of an API Gateway REST proxy event (payload 1.0) for one request, with
 * the fields API Gateway sets: single- and multi-value headers and query parameters (values
 * decoded), path parameters, {@code stageVariables: null}, the request context with the stage,
 * request id, source ip and authorizer output, and the body as text or, for binary content, base64.
 */
final class ProxyEvent {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private ProxyEvent() {
    }

    /**
     * json returns the event.
     *
     * @param request        the HTTP request as received
     * @param route          the matched route
     * @param pathParameters the decoded path parameters
     * @param stage          the API's stage
     * @param requestId      API Gateway's request id
     * @param now            the request time
     * @param authorizer     principalId and context from the authorizer, or null on a public route
     */
    static String json(HttpCall request, ApiRoutes.Route route, Map<String, String> pathParameters, String stage,
                       String requestId, Instant now, Map<String, String> authorizer) {
        ObjectNode e = JSON.createObjectNode();
        e.put("resource", route.path());
        e.put("path", request.path());
        e.put("httpMethod", request.method());

        ObjectNode headers = e.putObject("headers");
        ObjectNode multiHeaders = e.putObject("multiValueHeaders");
        request.headers().forEach((name, values) -> {
            headers.put(name, values.getLast());
            ArrayNode all = multiHeaders.putArray(name);
            values.forEach(all::add);
        });

        Map<String, List<String>> query = query(request.rawQuery());
        if (query.isEmpty()) {
            e.putNull("queryStringParameters");
            e.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode single = e.putObject("queryStringParameters");
            ObjectNode multi = e.putObject("multiValueQueryStringParameters");
            query.forEach((name, values) -> {
                single.put(name, values.getLast());
                ArrayNode all = multi.putArray(name);
                values.forEach(all::add);
            });
        }
        if (pathParameters.isEmpty()) {
            e.putNull("pathParameters");
        } else {
            ObjectNode params = e.putObject("pathParameters");
            pathParameters.forEach(params::put);
        }
        e.putNull("stageVariables");

        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("accountId", LocalAws.ACCOUNT);
        ctx.put("apiId", LocalAws.API_ID);
        ctx.put("resourceId", Integer.toHexString(route.path().hashCode()));
        ctx.put("resourcePath", route.path());
        ctx.put("httpMethod", request.method());
        ctx.put("path", "/" + stage + request.path());
        ctx.put("stage", stage);
        ctx.put("requestId", requestId);
        ctx.put("extendedRequestId", requestId);
        ctx.put("protocol", "HTTP/1.1");
        ctx.put("requestTime", REQUEST_TIME.format(now));
        ctx.put("requestTimeEpoch", now.toEpochMilli());
        ctx.put("domainName", request.header("Host").orElse("localhost"));
        ObjectNode identity = ctx.putObject("identity");
        identity.put("sourceIp", request.sourceIp());
        identity.put("userAgent", request.header("User-Agent").orElse(null));
        if (authorizer != null) {
            ObjectNode auth = ctx.putObject("authorizer");
            authorizer.forEach(auth::put);
        }

        byte[] body = request.body();
        if (body.length == 0) {
            e.putNull("body");
            e.put("isBase64Encoded", false);
        } else if (isText(request.header("Content-Type").orElse(""), body)) {
            e.put("body", new String(body, StandardCharsets.UTF_8));
            e.put("isBase64Encoded", false);
        } else {
            e.put("body", Base64.getEncoder().encodeToString(body));
            e.put("isBase64Encoded", true);
        }
        return e.toString();
    }

    /** query parses a raw query string the way API Gateway does: decoded values, repeated names kept in order. */
    static Map<String, List<String>> query(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** isText: textual media types and bodies without a type go as text when they are valid UTF-8. */
    private static boolean isText(String contentType, byte[] body) {
        String type = contentType.toLowerCase(Locale.ROOT);
        boolean textual = type.isEmpty() || type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("x-www-form-urlencoded") || type.contains("javascript");
        if (!textual) {
            return false;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
