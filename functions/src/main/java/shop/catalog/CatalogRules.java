package shop.catalog;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import shop.catalog.CatalogInputs.BannerInput;
import shop.catalog.CatalogInputs.BrandInput;
import shop.catalog.CatalogInputs.CategoryBrandInput;
import shop.catalog.CatalogInputs.CategoryInput;
import shop.catalog.CatalogInputs.GoodsFlags;
import shop.catalog.CatalogInputs.GoodsInput;
import shop.platform.error.Validation;

/**
 * CatalogRules checks the shape of catalog inputs against the schema's limits before anything
 * touches the database: required fields, lengths (in characters), number ranges and URLs
 * (absolute http or https, at most 512 characters). Each check reports every wrong field at once.
 */
public final class CatalogRules {
    /** NAME_MAX is the longest category or brand name. */
    public static final int NAME_MAX = 50;
    /** GOODS_NAME_MAX is the longest goods name. */
    public static final int GOODS_NAME_MAX = 100;
    /** GOODS_SN_MAX is the longest goods number. */
    public static final int GOODS_SN_MAX = 50;
    /** BRIEF_MAX is the longest goods brief. */
    public static final int BRIEF_MAX = 200;
    /** URL_MAX is the longest URL (logo, image, banner link). */
    public static final int URL_MAX = 512;
    /** IMAGES_MAX is the most images (or description images) a goods may list. */
    public static final int IMAGES_MAX = 20;
    /** PRICE_MAX is the highest price in cents (10 billion units), far above any real one. */
    public static final long PRICE_MAX = 1_000_000_000_000L;
    /** INDEX_MAX bounds a banner's sort index. */
    public static final long INDEX_MAX = 1_000_000L;

    private CatalogRules() {
    }

    static void check(CategoryInput in) {
        new Validation().required("name", in.name()).maxLength("name", in.name(), NAME_MAX)
                .range("parentId", in.parentId(), 1, Long.MAX_VALUE).check();
    }

    static void check(BrandInput in) {
        Validation v = new Validation().required("name", in.name()).maxLength("name", in.name(), NAME_MAX);
        url(v, "logo", in.logo());
        v.check();
    }

    static void check(CategoryBrandInput in) {
        new Validation().required("categoryId", in.categoryId()).required("brandId", in.brandId())
                .range("categoryId", in.categoryId(), 1, Long.MAX_VALUE)
                .range("brandId", in.brandId(), 1, Long.MAX_VALUE).check();
    }

    static void check(BannerInput in) {
        Validation v = new Validation().required("index", in.index()).range("index", in.index(), 0, INDEX_MAX)
                .range("goodsId", in.goodsId(), 1, Long.MAX_VALUE);
        url(v, "image", in.image());
        url(v, "url", in.url());
        v.check();
    }

    static void check(GoodsInput in) {
        Validation v = new Validation()
                .required("name", in.name()).maxLength("name", in.name(), GOODS_NAME_MAX)
                .required("goodsSn", in.goodsSn()).maxLength("goodsSn", in.goodsSn(), GOODS_SN_MAX)
                .required("categoryId", in.categoryId()).range("categoryId", in.categoryId(), 1, Long.MAX_VALUE)
                .required("brandId", in.brandId()).range("brandId", in.brandId(), 1, Long.MAX_VALUE)
                .required("shopPrice", in.shopPrice()).range("shopPrice", in.shopPrice(), 0, PRICE_MAX)
                .range("marketPrice", in.marketPrice(), 0, PRICE_MAX)
                .maxLength("goodsBrief", in.goodsBrief(), BRIEF_MAX);
        url(v, "frontImage", in.frontImage());
        urls(v, "images", in.images());
        urls(v, "descImages", in.descImages());
        v.check();
    }

    static void check(GoodsFlags in) {
        new Validation().when(in.isNew() == null && in.isHot() == null && in.onSale() == null, "",
                "give at least one of isNew, isHot, onSale").check();
    }

    private static void urls(Validation v, String field, List<String> urls) {
        if (urls == null) {
            return;
        }
        v.when(urls.size() > IMAGES_MAX, field, "must list at most " + IMAGES_MAX + " URLs");
        for (int i = 0; i < urls.size(); i++) {
            String u = urls.get(i);
            v.when(u == null || u.isEmpty(), field + "[" + i + "]", "must be a URL");
            url(v, field + "[" + i + "]", u);
        }
    }

    /** url records a value that is neither empty nor an absolute http(s) URL of at most 512 characters. */
    private static void url(Validation v, String field, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        v.maxLength(field, value, URL_MAX);
        if (!isHttpUrl(value)) {
            v.add(field, "must be an absolute http or https URL");
        }
    }

    static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** trim returns a trimmed string, or the default when null. */
    static String trim(String value, String defaultValue) {
        return value == null ? defaultValue : value.strip();
    }
}
