package shop.catalog;

import java.util.List;
import java.util.Optional;

/** BrandRepository stores brands. */
public interface BrandRepository {
    /** page returns brands by id. */
    List<Brand> page(int offset, int limit);

    /** count returns how many brands there are. */
    long count();

    /** find returns a brand. */
    Optional<Brand> find(long id);

    /** nameTaken tells whether another brand (not {@code exceptId}) has this name (case-insensitive). */
    boolean nameTaken(String name, long exceptId);

    /** insert stores a brand; a duplicate name is a 409. */
    long insert(String name, String logo);

    /** update replaces a brand's fields; false when there is none. */
    boolean update(long id, String name, String logo);

    /** Usage is what still refers to a brand. */
    record Usage(long goods, long links) {
        /** inUse tells whether anything refers to it. */
        public boolean inUse() {
            return goods > 0 || links > 0;
        }
    }

    /** usage counts the goods (live or soft-deleted) and category links of a brand. */
    Usage usage(long id);

    /** delete removes a brand; false when there was none. */
    boolean delete(long id);

    /** forCategory returns the brands linked to a category, by name. */
    List<Brand> forCategory(long categoryId);
}
