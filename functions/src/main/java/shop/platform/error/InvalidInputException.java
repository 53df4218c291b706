package shop.platform.error;

import java.util.List;
import java.util.Map;

/** InvalidInputException is a 400: the request is malformed or a field is wrong; {@code errors} lists each. */
public final class InvalidInputException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /** FieldError names one wrong field (a JSON path such as {@code items[2].num}) and why. */
    public record FieldError(String field, String message) {
    }

    /** Creates the exception for one or more wrong fields. */
    public InvalidInputException(List<FieldError> errors) {
        super(400, "invalid-input", "Invalid input", summary(errors), Map.of("errors", List.copyOf(errors)));
    }

    /** Creates the exception for one wrong field. */
    public InvalidInputException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    private static String summary(List<FieldError> errors) {
        if (errors.isEmpty()) {
            return "The request is invalid.";
        }
        FieldError first = errors.getFirst();
        String head = first.field() == null || first.field().isEmpty() ? first.message()
                : first.field() + ": " + first.message();
        return errors.size() == 1 ? head : head + " (and " + (errors.size() - 1) + " more)";
    }
}
