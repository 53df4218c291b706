package shop.catalog;

import java.util.List;

/** Goods is a live goods as the API shows it; money is in integer cents. */
public record Goods(long id, String name, String goodsSn, Ref category, Brand brand, long marketPrice,
                    long shopPrice, String goodsBrief, boolean shipFree, boolean isNew, boolean isHot,
                    boolean onSale, String frontImage, List<String> images, List<String> descImages,
                    int clickNum, int soldNum, int favNum) {
}
