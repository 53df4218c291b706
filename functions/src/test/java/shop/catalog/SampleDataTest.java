package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import shop.testing.TestStack;

/** SampleData loads a usable catalog once and then leaves it alone. */
class SampleDataTest extends CatalogApiTestBase {

    @Test
    void load_fillsAnEmptyCatalog_andIsIdempotent() {
        assertTrue(SampleData.load(TestStack.get().dataSource()));
        assertEquals(30, CatalogDb.count("goods"));
        assertEquals(6, CatalogDb.count("brand"));
        assertEquals(3, CatalogDb.count("banner"));
        assertEquals(30, CatalogDb.count("inventory"));
        assertEquals(30, CatalogDb.longQuery("SELECT COUNT(*) FROM stock_movement m JOIN inventory i"
                + " ON i.goods_id = m.goods_id AND m.kind = 'OPENING' AND m.on_hand_delta = i.on_hand"),
                "every stocked goods' ledger opens with its stock");
        assertEquals(3, CatalogDb.longQuery("SELECT MAX(level) FROM category"));
        assertEquals(2, CatalogDb.longQuery("SELECT COUNT(*) FROM category WHERE is_tab"));
        var before = CatalogDb.snapshot();

        assertFalse(SampleData.load(TestStack.get().dataSource()));
        assertEquals(before, CatalogDb.snapshot());

        var page = api.call("GET", "/goods").query("keywords", "apples").send();
        assertEquals(3, page.body().path("total").asInt(), page.toString());
        assertEquals(3, api.get("/banners").body().size());
        assertEquals(3, api.get("/categories").body().size());
    }
}
