package shop.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import shop.platform.config.ConfigException;
import shop.platform.config.Env;
import shop.stack.Template;

/** ALLOWED_ORIGIN is one origin or *, checked at start as the template's parameter checks it at deploy. */
class CorsTest {
    private static final List<String> GOOD = List.of("*", "https://shop.example", "http://localhost:3000",
            "https://admin.shop-example.co.uk:8443");
    private static final List<String> BAD = List.of("", "https://shop.example/", "shop.example", "https://shop.example/admin",
            "https://a.example,https://b.example", "https://a.example https://b.example", "null", "ftp://shop.example");

    @Test
    void oneOriginOrAny_isAccepted_andAnythingElseNamesTheVariable() {
        for (String origin : GOOD) {
            assertEquals(origin, Cors.from(Env.of(Map.of("ALLOWED_ORIGIN", origin))).allowOrigin());
        }
        assertEquals("*", Cors.from(Env.of(Map.of())).allowOrigin(), "default");
        assertThrows(ConfigException.class, () -> Cors.from(Env.of(Map.of("ALLOWED_ORIGIN", "https://shop.example/"))));
        for (String origin : BAD) {
            ConfigException e = assertThrows(ConfigException.class, () -> new Cors(origin), origin);
            assertTrue(e.getMessage().contains("ALLOWED_ORIGIN"), e.getMessage());
        }
    }

    @Test
    void theTemplatesParameter_acceptsWhatTheFunctionsAccept() {
        Map<String, Object> parameter = Template.map(Template.map(Template.loadDefault().root().get("Parameters"))
                .get("AllowedOrigin"));
        Pattern allowed = Pattern.compile(String.valueOf(parameter.get("AllowedPattern")));
        GOOD.forEach(o -> assertTrue(allowed.matcher(o).matches(), "the template refuses " + o));
        BAD.forEach(o -> assertTrue(!allowed.matcher(o).matches(), "the template accepts " + o));
    }
}
