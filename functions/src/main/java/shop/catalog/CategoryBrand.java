package shop.catalog;

/** CategoryBrand links a brand to a category (the storefront's "brands in this category"). */
public record CategoryBrand(long id, Ref category, Brand brand) {
}
