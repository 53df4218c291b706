package shop.platform.error;

import java.util.Map;

/** UnauthorizedException is a 401: no token, or one that is not valid. */
public final class UnauthorizedException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public UnauthorizedException(String detail) {
        super(401, "unauthorized", "Unauthorized", detail, Map.of());
    }
}
