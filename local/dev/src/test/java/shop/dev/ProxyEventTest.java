package shop.dev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyEventTest {
    private static final ApiRoutes.Route ROUTE = new ApiRoutes.Route("CatalogApiFunction", "PutGoodsId", "PUT",
            "/goods/{id}", "JwtAuthorizer");

    private static APIGatewayProxyRequestEvent read(String json) {
        return LambdaEventSerializers.serializerFor(APIGatewayProxyRequestEvent.class, ProxyEventTest.class.getClassLoader())
                .fromJson(json);
    }

    private static HttpCall call(String query, String contentType, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of("localhost:3000"));
        headers.put("Content-Type", List.of(contentType));
        headers.put("Accept", List.of("application/json", "text/plain"));
        return new HttpCall("PUT", "/goods/42", query, headers, body, "127.0.0.1");
    }

    @Test
    void event_deserialisesWithTheRuntimeSerializer_withTheFieldsApiGatewaySets() {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        String json = ProxyEvent.json(call("tag=a&tag=b%20c&q=x", "application/json",
                        "{\"name\":\"tea\"}".getBytes(StandardCharsets.UTF_8)), ROUTE, Map.of("id", "42"), "prod",
                "req-1", now, Map.of("principalId", "u1", "roles", "admin"));

        APIGatewayProxyRequestEvent e = read(json);

        assertEquals("/goods/{id}", e.getResource());
        assertEquals("/goods/42", e.getPath());
        assertEquals("PUT", e.getHttpMethod());
        assertEquals("text/plain", e.getHeaders().get("Accept"));
        assertEquals(List.of("application/json", "text/plain"), e.getMultiValueHeaders().get("Accept"));
        assertEquals("b c", e.getQueryStringParameters().get("tag"));
        assertEquals(List.of("a", "b c"), e.getMultiValueQueryStringParameters().get("tag"));
        assertEquals(Map.of("id", "42"), e.getPathParameters());
        assertNull(e.getStageVariables());
        assertEquals("{\"name\":\"tea\"}", e.getBody());
        assertFalse(e.getIsBase64Encoded());
        var ctx = e.getRequestContext();
        assertEquals("/goods/{id}", ctx.getResourcePath());
        assertEquals("PUT", ctx.getHttpMethod());
        assertEquals("/prod/goods/42", ctx.getPath());
        assertEquals("prod", ctx.getStage());
        assertEquals("req-1", ctx.getRequestId());
        assertEquals("127.0.0.1", ctx.getIdentity().getSourceIp());
        assertEquals(now.toEpochMilli(), ctx.getRequestTimeEpoch());
        assertEquals(Map.of("principalId", "u1", "roles", "admin"), ctx.getAuthorizer());
    }

    @Test
    void event_hasNullMaps_whenThereIsNoQueryNoParametersAndNoBody() {
        APIGatewayProxyRequestEvent e = read(ProxyEvent.json(call(null, "application/json", new byte[0]),
                new ApiRoutes.Route("F", "GetGoods", "GET", "/goods", null), Map.of(), "prod", "r", Instant.now(), null));
        assertNull(e.getQueryStringParameters());
        assertNull(e.getMultiValueQueryStringParameters());
        assertNull(e.getPathParameters());
        assertNull(e.getBody());
        assertNull(e.getRequestContext().getAuthorizer());
    }

    @Test
    void event_carriesBinaryBodiesAsBase64() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff};
        APIGatewayProxyRequestEvent e = read(ProxyEvent.json(call(null, "image/png", png), ROUTE, Map.of("id", "42"),
                "prod", "r", Instant.now(), null));
        assertTrue(e.getIsBase64Encoded());
        assertArrayEquals(png, Base64.getDecoder().decode(e.getBody()));
    }
}
