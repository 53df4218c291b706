package shop.catalog;

import java.util.List;

/**
 * Page is one page of a list.
 *
 * @param total          how many items match (for goods filtered by brand, price, keywords or ids: at
 *                       most {@link PageRequest#MAX_WINDOW}, see totalCapped)
 * @param totalCapped    present and true when more items match than {@code total} says
 * @param totalEstimated present and true when {@code total} is an estimate (keyword searches over many goods)
 */
public record Page<T>(long total, int page, int pageSize, List<T> items, Boolean totalCapped, Boolean totalEstimated) {

    /** Page with an exact total. */
    public Page(long total, int page, int pageSize, List<T> items, Boolean totalCapped) {
        this(total, page, pageSize, items, totalCapped, null);
    }

    /** of builds a page whose total is exact. */
    public static <T> Page<T> of(long total, PageRequest request, List<T> items) {
        return new Page<>(total, request.page(), request.pageSize(), items, null);
    }
}
