package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import shop.platform.config.Env;
import shop.stack.FunctionEnvironment;
import shop.stack.Template;
import shop.testing.TestStack;

/** The media functions read only variables template.yaml sets for them, and route what it routes. */
class MediaTemplateTest {
    private final Template template = Template.loadDefault();

    private Env env() {
        return TestStack.get().env(Map.of("PUBLIC_IMAGE_BASE_URL", "http://127.0.0.1:1/images-bucket"));
    }

    private void assertDeclared(String functionId, Env env) {
        Set<String> allowed = new HashSet<>(FunctionEnvironment.declared(template, functionId));
        allowed.addAll(FunctionEnvironment.RUNTIME_PROVIDED);
        Set<String> undeclared = new HashSet<>(env.namesRead());
        undeclared.removeAll(allowed);
        assertEquals(Set.of(), undeclared, functionId + " reads variables template.yaml does not set");
    }

    @Test
    void uploadsApi_readsOnlyDeclaredVariables_andServesTheTemplateRoutes() {
        Env env = env();
        UploadsApiHandler handler = new UploadsApiHandler(env);
        assertDeclared("UploadsApiFunction", env);
        assertTrue(env.namesRead().containsAll(Set.of("IMAGES_BUCKET", "UPLOAD_TICKETS_TABLE", "IDEMPOTENCY_TABLE",
                "UPLOAD_MAX_BYTES", "UPLOAD_URL_TTL_SECONDS")), env.namesRead().toString());
        Set<String> routes = new HashSet<>();
        Map<String, Object> events = Template.map(template.properties("UploadsApiFunction").get("Events"));
        events.values().forEach(ev -> {
            Map<String, Object> p = Template.map(Template.map(ev).get("Properties"));
            routes.add(((String) p.get("Method")).toUpperCase() + " " + p.get("Path"));
        });
        assertEquals(routes, handler.router().routes());
    }

    @Test
    void uploadComplete_readsOnlyDeclaredVariables() {
        Env env = env();
        new UploadCompleteHandler(env);
        assertDeclared("UploadCompleteFunction", env);
        assertTrue(env.namesRead().containsAll(Set.of("IMAGES_BUCKET", "UPLOAD_TICKETS_TABLE", "PUBLIC_IMAGE_BASE_URL")),
                env.namesRead().toString());
    }
}
