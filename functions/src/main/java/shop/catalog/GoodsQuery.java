package shop.catalog;

import java.util.List;

/**
 * GoodsQuery is GET /goods as the client asked it, before categories are resolved: every filter
 * optional (null: no condition).
 *
 * @param topCategory a category of any level: its goods and those of all its descendants
 * @param isTab       whether the goods' category is (true) or is not (false) a tab
 * @param keywords    a name search, see {@link Keywords}
 * @param ids         a batch get of at most 100 ids
 */
public record GoodsQuery(Long priceMin, Long priceMax, Boolean isHot, Boolean isNew, Boolean isTab, Boolean onSale,
                         Long topCategory, Long brand, String keywords, List<Long> ids) {
}
