package shop.platform.error;

import java.util.Map;

/** ForbiddenException is a 403: a valid token without the role this route needs. */
public final class ForbiddenException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public ForbiddenException(String detail) {
        super(403, "forbidden", "Forbidden", detail, Map.of());
    }
}
