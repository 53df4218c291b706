package shop.catalog;

import java.util.List;
import java.util.Optional;

/** BannerRepository stores the home-page banners. */
public interface BannerRepository {
    /** all returns every banner by index, then id. */
    List<Banner> all();

    /** find returns a banner. */
    Optional<Banner> find(long id);

    /** insert stores a banner. */
    long insert(String image, String url, Long goodsId, int index);

    /** update replaces a banner's fields; false when there is none. */
    boolean update(long id, String image, String url, Long goodsId, int index);

    /** delete removes a banner; false when there was none. */
    boolean delete(long id);
}
