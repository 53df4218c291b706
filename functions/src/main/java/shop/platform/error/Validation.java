package shop.platform.error;

import java.util.ArrayList;
import java.util.List;

/**
 * Validation collects every wrong field of a request before failing, so a client learns all of
 * them at once: {@code new Validation().required("name", name).maxLength("name", name, 100).check()}.
 */
public final class Validation {
    private final List<InvalidInputException.FieldError> errors = new ArrayList<>();

    /** add records a wrong field. */
    public Validation add(String field, String message) {
        errors.add(new InvalidInputException.FieldError(field, message));
        return this;
    }

    /** required records a missing value (null, or a blank string). */
    public Validation required(String field, Object value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            add(field, "is required");
        }
        return this;
    }

    /** maxLength records a string longer than max code points. */
    public Validation maxLength(String field, String value, int max) {
        if (value != null && value.codePointCount(0, value.length()) > max) {
            add(field, "must be at most " + max + " characters");
        }
        return this;
    }

    /** range records a number outside [min, max]. */
    public Validation range(String field, Long value, long min, long max) {
        if (value != null && (value < min || value > max)) {
            add(field, "must be between " + min + " and " + max);
        }
        return this;
    }

    /** when records a message if the condition is true. */
    public Validation when(boolean wrong, String field, String message) {
        if (wrong) {
            add(field, message);
        }
        return this;
    }

    /** ok tells whether nothing is wrong so far. */
    public boolean ok() {
        return errors.isEmpty();
    }

    /** check throws an {@link InvalidInputException} listing every wrong field, if any. */
    public void check() {
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
