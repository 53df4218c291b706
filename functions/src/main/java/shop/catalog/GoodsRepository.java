package shop.catalog;

import java.util.List;
import java.util.Optional;

/** GoodsRepository stores goods; deleted goods are kept (soft delete) but never read back as goods. */
public interface GoodsRepository {

    /** GoodsRow is what a write stores; the counters (clicks, sales, favourites) are not editable here. */
    record GoodsRow(String name, String goodsSn, long categoryId, long brandId, long marketPrice, long shopPrice,
                    String goodsBrief, boolean shipFree, boolean isNew, boolean isHot, boolean onSale,
                    String frontImage, List<String> images, List<String> descImages) {
    }

    /**
     * Found is a page of goods and how many match: exactly for flag and category filters, else up to a
     * cap; {@code totalEstimated} when the total is an estimate (a keyword search over many goods, see
     * {@code KeywordSearch}).
     */
    record Found(long total, boolean totalCapped, boolean totalEstimated, List<Goods> items) {
        /** Found with an exact total. */
        public Found(long total, boolean totalCapped, List<Goods> items) {
            this(total, totalCapped, false, items);
        }
    }

    /** find returns a live goods. */
    Optional<Goods> find(long id);

    /** isLive tells whether a goods exists and is not deleted. */
    boolean isLive(long id);

    /** snTaken tells whether another live goods (not {@code exceptId}) has this goods number. */
    boolean snTaken(String goodsSn, long exceptId);

    /** insert stores a goods; a duplicate live goods number is a 409. */
    long insert(GoodsRow row);

    /** update replaces a live goods' editable fields; false when there is none. */
    boolean update(long id, GoodsRow row);

    /** setFlags sets the given flags (null: unchanged) of a live goods; false when there is none. */
    boolean setFlags(long id, Boolean isNew, Boolean isHot, Boolean onSale);

    /** softDelete marks a live goods deleted; false when there is none. */
    boolean softDelete(long id);

    /**
     * search returns one page of live goods matching a filter, newest first, and how many match:
     * exactly when the filter is only flags and categories (or empty), else counted up to {@code countCap}.
     */
    Found search(GoodsFilter filter, int offset, int limit, int countCap);
}
