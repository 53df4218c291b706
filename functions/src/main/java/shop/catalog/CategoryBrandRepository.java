package shop.catalog;

import java.util.List;
import java.util.Optional;

/** CategoryBrandRepository stores the links between categories and brands. */
public interface CategoryBrandRepository {
    /** page returns links by id. */
    List<CategoryBrand> page(int offset, int limit);

    /** count returns how many links there are. */
    long count();

    /** find returns a link. */
    Optional<CategoryBrand> find(long id);

    /** pairTaken tells whether another link (not {@code exceptId}) joins this category and brand. */
    boolean pairTaken(long categoryId, long brandId, long exceptId);

    /** insert stores a link; a duplicate pair is a 409. */
    long insert(long categoryId, long brandId);

    /** update points a link at another pair; false when there is none. */
    boolean update(long id, long categoryId, long brandId);

    /** delete removes a link; false when there was none. */
    boolean delete(long id);
}
