package shop.catalog;

/**
 * Category is one node of the category tree as stored.
 *
 * @param id       id
 * @param name     display name, at most 50 characters
 * @param parentId the parent's id, null for a top-level category
 * @param level    1 for top level, 2 below it, 3 at most
 * @param isTab    whether the storefront shows it as a tab
 */
public record Category(long id, String name, Long parentId, int level, boolean isTab) {
}
