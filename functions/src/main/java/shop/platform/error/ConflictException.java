package shop.platform.error;

import java.util.Map;

/** ConflictException is a 409: the request clashes with the current state (a duplicate, a resource in use). */
public class ConflictException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /** Creates a conflict of a specific type, e.g. {@code duplicate}, {@code in-use}, {@code insufficient-stock}. */
    public ConflictException(String slug, String title, String detail, Map<String, Object> extensions) {
        super(409, slug, title, detail, extensions);
    }

    /** Creates a generic conflict. */
    public ConflictException(String detail) {
        this("conflict", "Conflict", detail, Map.of());
    }
}
