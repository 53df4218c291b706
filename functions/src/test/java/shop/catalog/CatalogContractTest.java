package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import shop.platform.config.Env;
import shop.stack.FunctionEnvironment;
import shop.stack.Template;
import shop.testing.OpenApiContract;
import shop.testing.TestStack;

/**
 * The template, the handler's routes, docs/openapi.yaml and events/ agree: every catalog route in
 * template.yaml is routed and sits under a catalog tag in docs/openapi.yaml, every variable the
 * handler reads is set for it, and the sample events run through the handler as API Gateway would
 * send them.
 */
class CatalogContractTest {
    static final String FUNCTION = "CatalogApiFunction";

    static Set<String> templateRoutes() {
        Template template = Template.load(Path.of("../template.yaml"));
        Set<String> routes = new TreeSet<>();
        Template.map(template.properties(FUNCTION).get("Events")).values().forEach(e -> {
            Map<String, Object> event = Template.map(e);
            if ("Api".equals(event.get("Type"))) {
                Map<String, Object> p = Template.map(event.get("Properties"));
                routes.add(String.valueOf(p.get("Method")).toUpperCase(Locale.ROOT) + " " + p.get("Path"));
            }
        });
        return routes;
    }

    @Test
    void templateRoutes_areExactlyTheHandlersRoutes() {
        assertEquals(new TreeSet<>(CatalogApi.get().handler().router().routes()), templateRoutes());
    }

    /** That every route is documented (and nothing else) is OpenApiCoverageTest's; here: under a catalog tag. */
    @Test
    void everyTemplateRoute_isUnderACatalogTagInOpenApi() {
        Set<String> catalogTags = Set.of("categories", "brands", "category-brands", "banners", "goods");
        for (String route : templateRoutes()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            var op = OpenApiContract.get().doc().path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
            assertTrue(catalogTags.contains(op.path("tags").path(0).asText()), route + " is not under a catalog tag");
        }
    }

    @Test
    void everyVariableTheHandlerReads_isSetForItInTheTemplate() {
        Env env = TestStack.get().env(Map.of());
        new CatalogApiHandler(env);
        Set<String> declared = FunctionEnvironment.declared(Template.load(Path.of("../template.yaml")), FUNCTION);
        Set<String> missing = new HashSet<>(env.namesRead());
        missing.removeAll(declared);
        missing.removeAll(FunctionEnvironment.RUNTIME_PROVIDED);
        assertEquals(Set.of(), missing);
    }

    @Test
    void sampleEvents_runThroughTheHandler() {
        CatalogDb.reset();
        CatalogApi api = CatalogApi.get();
        assertEquals(200, api.send(EventLoader.loadApiGatewayRestEvent("../events/catalog-get-goods.json")).status());
        assertEquals(200, api.send(EventLoader.loadApiGatewayRestEvent("../events/catalog-get-categories.json")).status());
        assertEquals(200, api.send(EventLoader.loadApiGatewayRestEvent("../events/catalog-get-banners.json")).status());
        assertEquals(200, api.send(EventLoader.loadApiGatewayRestEvent("../events/catalog-get-category-brands.json")).status());
        var created = api.send(EventLoader.loadApiGatewayRestEvent("../events/catalog-post-brand.json"));
        assertEquals(201, created.status(), created.toString());
        assertEquals("Sample Brand", created.body().path("name").asText());
        assertEquals(1, CatalogDb.count("brand"));
    }
}
