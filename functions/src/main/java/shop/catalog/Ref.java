package shop.catalog;

/** Ref names another resource by id and name, e.g. the category of a goods. */
public record Ref(long id, String name) {
}
