package shop.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** CategoryRepository stores the category tree. */
public interface CategoryRepository {
    /** findAll returns every category. */
    List<Category> findAll();

    /** subtreeIds returns a category's id and those of all its descendants (empty when unknown). */
    List<Long> subtreeIds(long id);

    /** level returns a category's level (1 to 3), empty when there is no such category. */
    Optional<Integer> level(long id);

    /** tabIds returns the ids of the categories shown as tabs. */
    List<Long> tabIds();

    /** insert stores a new category and returns its id. */
    long insert(String name, Long parentId, int level, boolean isTab);

    /**
     * update renames, re-parents and re-flags a category and sets the given levels (its subtree's),
     * atomically; a move also rewrites the category path of the goods in the subtree.
     */
    void update(long id, String name, Long parentId, boolean isTab, Map<Long, Integer> levels);

    /** Usage is what still refers to a category. */
    record Usage(long children, long goods, long links) {
        /** inUse tells whether anything refers to it. */
        public boolean inUse() {
            return children > 0 || goods > 0 || links > 0;
        }
    }

    /** usage counts children, goods (live or soft-deleted) and brand links of a category. */
    Usage usage(long id);

    /** delete removes a category; false when there was none. Fails with a 409 if something refers to it meanwhile. */
    boolean delete(long id);
}
