package shop.catalog;

import java.util.Map;
import shop.platform.error.ConflictException;

/** CatalogProblems builds the catalog's 409s, the same whether a check or a unique key caught the clash. */
final class CatalogProblems {
    private CatalogProblems() {
    }

    static ConflictException duplicateBrand(String name) {
        return new ConflictException("duplicate", "Duplicate brand",
                "A brand named '" + name + "' already exists.", Map.of("field", "name"));
    }

    static ConflictException duplicateLink(long categoryId, long brandId) {
        return new ConflictException("duplicate", "Duplicate link",
                "Category " + categoryId + " is already linked to brand " + brandId + ".", Map.of());
    }

    static ConflictException duplicateGoodsSn(String goodsSn) {
        return new ConflictException("duplicate", "Duplicate goods number",
                "A live goods with goodsSn '" + goodsSn + "' already exists.", Map.of("field", "goodsSn"));
    }
}
