package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;

/** CatalogApiTestBase gives each catalog API test empty catalog tables and a rejection check. */
abstract class CatalogApiTestBase {
    protected final CatalogApi api = CatalogApi.get();

    @BeforeEach
    void emptyCatalog() {
        CatalogDb.reset();
    }

    /**
     * rejected sends a request that must fail with the given status and problem type, and checks
     * that it changed no catalog row.
     */
    protected CatalogApi.Resp rejected(int status, String slug, Supplier<CatalogApi.Resp> request) {
        var before = CatalogDb.snapshot();
        CatalogApi.Resp resp = request.get();
        assertEquals(status, resp.status(), resp.toString());
        assertEquals("https://shop.example/problems/" + slug, resp.problemType(), resp.toString());
        assertEquals(before, CatalogDb.snapshot(), "a rejected request changed the catalog: " + resp);
        return resp;
    }

    /** invalid is {@link #rejected} for a 400 whose errors name exactly these fields (comma-separated). */
    protected CatalogApi.Resp invalid(String fields, Supplier<CatalogApi.Resp> request) {
        CatalogApi.Resp resp = rejected(400, "invalid-input", request);
        assertEquals(fields, resp.errorFields(), resp.toString());
        return resp;
    }
}
