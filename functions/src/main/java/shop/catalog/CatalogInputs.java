package shop.catalog;

import java.util.List;

/**
 * CatalogInputs holds the request bodies of the catalog's writes. Fields are boxed so that a
 * missing field is null (and reported as such) rather than a silent zero or false.
 */
public final class CatalogInputs {
    private CatalogInputs() {
    }

    /** CategoryInput is the body of POST and PUT /categories. */
    public record CategoryInput(String name, Long parentId, Boolean isTab) {
    }

    /** BrandInput is the body of POST and PUT /brands. */
    public record BrandInput(String name, String logo) {
    }

    /** CategoryBrandInput is the body of POST and PUT /category-brands. */
    public record CategoryBrandInput(Long categoryId, Long brandId) {
    }

    /** BannerInput is the body of POST and PUT /banners. */
    public record BannerInput(String image, String url, Long goodsId, Long index) {
    }

    /** GoodsInput is the body of POST /goods and of PUT /goods/{id} (a full replace: absent optional fields reset). */
    public record GoodsInput(String name, String goodsSn, Long categoryId, Long brandId, Long marketPrice,
                             Long shopPrice, String goodsBrief, Boolean shipFree, Boolean isNew, Boolean isHot,
                             Boolean onSale, String frontImage, List<String> images, List<String> descImages) {
    }

    /** GoodsFlags is the body of PATCH /goods/{id}: any of the three flags, at least one. */
    public record GoodsFlags(Boolean isNew, Boolean isHot, Boolean onSale) {
    }
}
