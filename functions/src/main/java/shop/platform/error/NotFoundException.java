package shop.platform.error;

import java.util.Map;

/** NotFoundException is a 404: the resource the path names does not exist. */
public final class NotFoundException extends ProblemException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a detail naming what is missing. */
    public NotFoundException(String detail) {
        super(404, "not-found", "Not found", detail, Map.of());
    }

    /** Creates the exception with extra members, e.g. the unknown ids. */
    public NotFoundException(String detail, Map<String, Object> extensions) {
        super(404, "not-found", "Not found", detail, extensions);
    }
}
