package shop.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenApiContract checks responses against docs/openapi.yaml: the route must be documented, the
 * status must be one of its responses, and the body must match that response's schema (OpenAPI 3.1
 * schemas are JSON Schema 2020-12; refs resolve against the document's components).
 */
public final class OpenApiContract {
    /** FILE is the document, relative to the functions module (where surefire runs). */
    public static final Path FILE = Path.of("../docs/openapi.yaml");
    private static OpenApiContract instance;

    private final JsonNode doc;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private OpenApiContract(JsonNode doc) {
        this.doc = doc;
    }

    /** get returns the parsed document, read once per JVM. */
    public static synchronized OpenApiContract get() {
        if (instance == null) {
            try {
                instance = new OpenApiContract(new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + FILE.toAbsolutePath(), e);
            }
        }
        return instance;
    }

    /** doc is the whole document as a tree. */
    public JsonNode doc() {
        return doc;
    }

    /** hasOperation tells whether the document describes a method on a path template. */
    public boolean hasOperation(String method, String path) {
        return !doc.path("paths").path(path).path(method.toLowerCase(Locale.ROOT)).isMissingNode();
    }

    /** check fails unless the response is documented for the route and its body matches the schema. */
    public void check(String method, String path, int status, String contentType, String body) {
        JsonNode op = doc.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        assertTrue(!op.isMissingNode(), method + " " + path + " is not in docs/openapi.yaml");
        JsonNode response = op.path("responses").path(Integer.toString(status));
        assertTrue(!response.isMissingNode(), method + " " + path + " answered " + status
                + ", which docs/openapi.yaml does not list: " + body);
        response = deref(response);
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            assertTrue(body == null || body.isEmpty(), method + " " + path + " " + status + " should have no body: " + body);
            return;
        }
        assertNotNull(contentType, "no Content-Type on " + method + " " + path + " " + status);
        JsonNode media = content.path(contentType);
        assertTrue(!media.isMissingNode(), method + " " + path + " " + status + " answered " + contentType
                + ", documented: " + content.fieldNames().next());
        String key = method + " " + path + " " + status + " " + contentType;
        JsonSchema schema = schemas.computeIfAbsent(key, k -> compile(media.path("schema")));
        JsonNode instance;
        try {
            instance = new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw new AssertionError(key + " body is not JSON: " + body, e);
        }
        Set<ValidationMessage> errors = schema.validate(instance);
        if (!errors.isEmpty()) {
            fail(key + " does not match docs/openapi.yaml: " + errors + "\nbody: " + body);
        }
    }

    /**
     * check fails unless the handler's response to the event is documented for the event's route
     * ({@code httpMethod} and API Gateway {@code resource}) and matches its schema.
     */
    public void check(APIGatewayProxyRequestEvent event, APIGatewayProxyResponseEvent response) {
        Map<String, String> headers = response.getHeaders() == null ? Map.of() : response.getHeaders();
        check(event.getHttpMethod(), event.getResource(), response.getStatusCode(), headers.get("Content-Type"),
                response.getBody());
    }

    /**
     * checked wraps an API handler so that every response it gives is checked against the document
     * before the test sees it.
     */
    public static RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> checked(
            RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler) {
        return (APIGatewayProxyRequestEvent event, Context context) -> {
            APIGatewayProxyResponseEvent response = handler.handleRequest(event, context);
            get().check(event, response);
            return response;
        };
    }

    private JsonNode deref(JsonNode node) {
        JsonNode ref = node.path("$ref");
        if (ref.isTextual()) {
            return deref(doc.at(ref.asText().substring(1)));
        }
        return node;
    }

    private JsonSchema compile(JsonNode schema) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("components", doc.path("components"));
        root.putArray("allOf").add(schema);
        return factory.getSchema(root);
    }
}
