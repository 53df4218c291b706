package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
final class OpenApiContract {
    static final Path FILE = Path.of("../docs/openapi.yaml");
    private static OpenApiContract instance;

    private final JsonNode doc;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private OpenApiContract(JsonNode doc) {
        this.doc = doc;
    }

    static synchronized OpenApiContract get() {
        if (instance == null) {
            try {
                instance = new OpenApiContract(new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + FILE.toAbsolutePath(), e);
            }
        }
        return instance;
    }

    JsonNode doc() {
        return doc;
    }

    /** hasOperation tells whether the document describes a method on a path template. */
    boolean hasOperation(String method, String path) {
        return !doc.path("paths").path(path).path(method.toLowerCase(Locale.ROOT)).isMissingNode();
    }

    /** check fails unless the response is documented for the route and its body matches the schema. */
    void check(String method, String path, int status, String contentType, String body) {
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
