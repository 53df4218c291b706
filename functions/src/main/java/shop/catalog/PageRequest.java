package shop.catalog;

import shop.platform.error.Validation;

/**
 * PageRequest is a 1-based page of a list. Pages are read with OFFSET, so how deep a client may go
 * is capped: {@code page * pageSize} must not exceed {@link #MAX_WINDOW} (a 400 beyond), which
 * keeps the worst page as cheap at a million goods as at ten thousand.
 */
public record PageRequest(int page, int pageSize) {
    /** DEFAULT_SIZE is the page size when none is given. */
    public static final int DEFAULT_SIZE = 20;
    /** MAX_SIZE is the largest page size. */
    public static final int MAX_SIZE = 100;
    /** MAX_WINDOW is how many items from the start of a list a client may page through. */
    public static final int MAX_WINDOW = 10_000;

    /** of validates a page and page size (nulls take the defaults). */
    public static PageRequest of(Long page, Long pageSize, int defaultSize) {
        long p = page == null ? 1 : page;
        long s = pageSize == null ? defaultSize : pageSize;
        Validation v = new Validation()
                .range("page", p, 1, MAX_WINDOW)
                .range("pageSize", s, 1, MAX_SIZE);
        v.check();
        new Validation().when(p * s > MAX_WINDOW, "page",
                "page * pageSize must be at most " + MAX_WINDOW + "; narrow the filters instead of paging deeper")
                .check();
        return new PageRequest((int) p, (int) s);
    }

    /** offset is how many items precede this page. */
    public int offset() {
        return (page - 1) * pageSize;
    }
}
