package shop.ops;

/**
 * Difference is one way a deployed API differs from what the template and the OpenAPI document say.
 *
 * @param subject  what differs: a route ({@code "POST /brands"}), {@code stage}, {@code authorizer}...
 * @param problem  what is wrong, in a few words
 * @param expected what the template (or docs/openapi.yaml) says
 * @param actual   what is deployed
 */
public record Difference(String subject, String problem, String expected, String actual) {
    @Override
    public String toString() {
        return subject + ": " + problem + " (expected " + expected + ", deployed " + actual + ")";
    }
}
