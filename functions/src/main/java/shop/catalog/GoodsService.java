package shop.catalog;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import shop.catalog.CatalogInputs.GoodsFlags;
import shop.catalog.CatalogInputs.GoodsInput;
import shop.platform.error.NotFoundException;
import shop.platform.error.Validation;

/**
 * GoodsService holds the rules of goods: lists with filters, writes that name a known category and
 * brand and a goods number no other live goods has, flag changes and soft deletes.
 *
 * <p>Goods may sit in a category of any level (not only leaves): a storefront often files
 * accessories under a level-2 category, and {@code topCategory} covers a category's descendants
 * anyway, so nothing is gained by refusing it.
 */
public final class GoodsService {
    private final GoodsRepository goods;
    private final CategoryRepository categories;
    private final BrandRepository brands;

    /** Creates the service over its repositories. */
    public GoodsService(GoodsRepository goods, CategoryRepository categories, BrandRepository brands) {
        this.goods = goods;
        this.categories = categories;
        this.brands = brands;
    }

    /** list returns one page of live goods, newest first. */
    public Page<Goods> list(GoodsQuery q, PageRequest page) {
        new Validation().when(q.priceMin() != null && q.priceMax() != null && q.priceMin() > q.priceMax(),
                "priceMin", "must not exceed priceMax").check();
        GoodsFilter.Subtree subtree = null;
        Set<Long> categoryIds = null;
        if (q.topCategory() != null) {
            Optional<Integer> level = categories.level(q.topCategory());
            if (level.isEmpty()) {
                categoryIds = Set.of(); // an unknown category has no goods
            } else {
                subtree = new GoodsFilter.Subtree(q.topCategory(), level.get());
            }
        }
        if (q.isTab() != null && categoryIds == null) {
            categoryIds = tabFilter(q);
        }
        GoodsFilter filter = new GoodsFilter(q.priceMin(), q.priceMax(), q.isHot(), q.isNew(), q.onSale(),
                categoryIds, q.brand(), q.keywords() == null ? null : Keywords.parse(q.keywords()),
                q.ids() == null ? null : List.copyOf(new LinkedHashSet<>(q.ids())), subtree);
        GoodsRepository.Found found = goods.search(filter, page.offset(), page.pageSize(), PageRequest.MAX_WINDOW);
        return new Page<>(found.total(), page.page(), page.pageSize(), found.items(),
                found.totalCapped() ? Boolean.TRUE : null, found.totalEstimated() ? Boolean.TRUE : null);
    }

    /**
     * tabFilter resolves isTab to category ids: within topCategory's subtree when one is given (the
     * subtree condition itself is applied through the goods' category path as well).
     */
    private Set<Long> tabFilter(GoodsQuery q) {
        Set<Long> ids = q.topCategory() == null ? null : new LinkedHashSet<>(categories.subtreeIds(q.topCategory()));
        Set<Long> tabs = new LinkedHashSet<>(categories.tabIds());
        if (q.isTab()) {
            return ids == null ? tabs : intersect(ids, tabs);
        }
        if (ids != null) {
            ids.removeAll(tabs);
            return ids;
        }
        ids = new LinkedHashSet<>();
        for (Category c : categories.findAll()) {
            if (!c.isTab()) {
                ids.add(c.id());
            }
        }
        return ids;
    }

    private static Set<Long> intersect(Set<Long> a, Set<Long> b) {
        Set<Long> out = new LinkedHashSet<>(a);
        out.retainAll(b);
        return out;
    }

    /** get returns a live goods. */
    public Goods get(long id) {
        return goods.find(id).orElseThrow(() -> notFound(id));
    }

    /** create adds a goods. */
    public Goods create(GoodsInput in) {
        GoodsRepository.GoodsRow row = checked(in, 0);
        return get(goods.insert(row));
    }

    /** replace replaces every editable field of a live goods (absent optional fields take their defaults). */
    public Goods replace(long id, GoodsInput in) {
        CatalogRules.check(in);
        get(id);
        GoodsRepository.GoodsRow row = checked(in, id);
        if (!goods.update(id, row)) {
            throw notFound(id);
        }
        return get(id);
    }

    /** setFlags changes any of isNew, isHot and onSale. */
    public Goods setFlags(long id, GoodsFlags flags) {
        CatalogRules.check(flags);
        if (!goods.setFlags(id, flags.isNew(), flags.isHot(), flags.onSale())) {
            throw notFound(id);
        }
        return get(id);
    }

    /** delete soft-deletes a live goods: it disappears from every read; its goods number is free again. */
    public void delete(long id) {
        if (!goods.softDelete(id)) {
            throw notFound(id);
        }
    }

    private GoodsRepository.GoodsRow checked(GoodsInput in, long exceptId) {
        CatalogRules.check(in);
        new Validation()
                .when(categories.level(in.categoryId()).isEmpty(), "categoryId", "no category with id " + in.categoryId())
                .when(brands.find(in.brandId()).isEmpty(), "brandId", "no brand with id " + in.brandId())
                .check();
        String sn = in.goodsSn().strip();
        if (goods.snTaken(sn, exceptId)) {
            throw CatalogProblems.duplicateGoodsSn(sn);
        }
        return new GoodsRepository.GoodsRow(in.name().strip(), sn, in.categoryId(), in.brandId(),
                in.marketPrice() == null ? 0 : in.marketPrice(), in.shopPrice(),
                CatalogRules.trim(in.goodsBrief(), ""), Boolean.TRUE.equals(in.shipFree()),
                Boolean.TRUE.equals(in.isNew()), Boolean.TRUE.equals(in.isHot()), Boolean.TRUE.equals(in.onSale()),
                CatalogRules.trim(in.frontImage(), ""), in.images() == null ? List.of() : in.images(),
                in.descImages() == null ? List.of() : in.descImages());
    }

    private static NotFoundException notFound(long id) {
        return new NotFoundException("No goods with id " + id + ".");
    }
}
