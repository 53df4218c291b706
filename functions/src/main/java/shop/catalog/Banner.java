package shop.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Banner is a home-page banner, shown in ascending {@code index} order.
 *
 * @param goodsId the live goods it links to, or null (also null once that goods is deleted)
 */
public record Banner(long id, String image, String url,
                     @JsonInclude(JsonInclude.Include.ALWAYS) Long goodsId, int index) {
}
