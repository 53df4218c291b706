package shop.catalog;

/**
 * Brand is a brand as stored and shown.
 *
 * @param id   id
 * @param name unique name, at most 50 characters
 * @param logo http(s) URL of the logo, or empty
 */
public record Brand(long id, String name, String logo) {
}
