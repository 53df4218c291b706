package shop.catalog;

import java.util.List;
import java.util.Set;

/**
 * GoodsFilter is a goods list query after the service resolved categories: every field is optional
 * (null: no condition). {@code subtree} is a top category (its goods and its descendants'), found
 * through the goods' category path; {@code categoryIds} holds the categories isTab allows (within
 * the subtree when both are given); an empty set matches nothing.
 */
public record GoodsFilter(Long priceMin, Long priceMax, Boolean isHot, Boolean isNew, Boolean onSale,
                          Set<Long> categoryIds, Long brandId, Keywords keywords, List<Long> ids, Subtree subtree) {

    /** NONE matches every live goods. */
    public static final GoodsFilter NONE = new GoodsFilter(null, null, null, null, null, null, null, null, null, null);

    /** Subtree is a category of the given level (1 to 3) with all its descendants. */
    public record Subtree(long categoryId, int level) {
    }

    /** matchesNothing tells whether a resolved condition already rules out every goods. */
    public boolean matchesNothing() {
        return (categoryIds != null && categoryIds.isEmpty()) || (ids != null && ids.isEmpty())
                || (keywords != null && keywords.matchesNothing());
    }
}
