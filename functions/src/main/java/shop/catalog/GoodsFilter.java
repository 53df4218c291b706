package shop.catalog;

import java.util.List;
import java.util.Set;

/**
 * GoodsFilter is a goods list query after the service resolved categories: every field is optional
 * (null: no condition). {@code categoryIds} already holds a top category's descendants and the tab
 * categories; an empty set matches nothing.
 */
public record GoodsFilter(Long priceMin, Long priceMax, Boolean isHot, Boolean isNew, Boolean onSale,
                          Set<Long> categoryIds, Long brandId, Keywords keywords, List<Long> ids) {

    /** NONE matches every live goods. */
    public static final GoodsFilter NONE = new GoodsFilter(null, null, null, null, null, null, null, null, null);

    /** matchesNothing tells whether a resolved condition already rules out every goods. */
    public boolean matchesNothing() {
        return (categoryIds != null && categoryIds.isEmpty()) || (ids != null && ids.isEmpty())
                || (keywords != null && keywords.matchesNothing());
    }
}
