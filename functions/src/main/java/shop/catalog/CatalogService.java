package shop.catalog;

import java.util.List;
import java.util.Map;
import shop.catalog.CatalogInputs.BannerInput;
import shop.catalog.CatalogInputs.BrandInput;
import shop.catalog.CatalogInputs.CategoryBrandInput;
import shop.catalog.CatalogInputs.CategoryInput;
import shop.platform.error.ConflictException;
import shop.platform.error.InvalidInputException;
import shop.platform.error.NotFoundException;
import shop.platform.error.Validation;

/**
 * CatalogService holds the rules of the category tree, brands, category-brand links and banners.
 * Every write validates its input and checks the ids it names before it writes, so a rejected
 * request changes nothing; the database's keys back the checks up against concurrent writes.
 *
 * <p>Deleting: a category answers 409 while it has children, goods (soft-deleted ones too: they
 * keep their category for order history) or brand links; a brand while goods use it or categories
 * link to it. Remove the links first (DELETE /category-brands/{id}).
 */
public final class CatalogService {
    private final CategoryRepository categories;
    private final BrandRepository brands;
    private final CategoryBrandRepository links;
    private final BannerRepository banners;
    private final GoodsRepository goods;

    /** Creates the service over its repositories. */
    public CatalogService(CategoryRepository categories, BrandRepository brands, CategoryBrandRepository links,
                          BannerRepository banners, GoodsRepository goods) {
        this.categories = categories;
        this.brands = brands;
        this.links = links;
        this.banners = banners;
        this.goods = goods;
    }

    // ------------------------------------------------------------------ categories

    /** categoryTree returns every top-level category with all its descendants. */
    public List<CategoryNode> categoryTree() {
        return tree().roots();
    }

    /** category returns a category with its direct children. */
    public CategoryNode category(long id) {
        return tree().withChildren(id).orElseThrow(() -> categoryNotFound(id));
    }

    /** brandsOf returns the brands linked to a category. */
    public List<Brand> brandsOf(long categoryId) {
        if (tree().find(categoryId).isEmpty()) {
            throw categoryNotFound(categoryId);
        }
        return brands.forCategory(categoryId);
    }

    /** createCategory adds a category under its parent (level follows from the parent). */
    public CategoryNode createCategory(CategoryInput in) {
        CatalogRules.check(in);
        int level = tree().levelUnder(in.parentId());
        boolean isTab = Boolean.TRUE.equals(in.isTab());
        long id = categories.insert(in.name().strip(), in.parentId(), level, isTab);
        return new CategoryNode(id, in.name().strip(), level, in.parentId(), isTab, List.of());
    }

    /**
     * updateCategory replaces a category's name, parent and tab flag (a full replace: no parentId
     * means top level). Moving it re-levels its subtree, which must stay within three levels.
     */
    public CategoryNode updateCategory(long id, CategoryInput in) {
        CatalogRules.check(in);
        CategoryTree tree = tree();
        if (tree.find(id).isEmpty()) {
            throw categoryNotFound(id);
        }
        Map<Long, Integer> levels = tree.relevel(id, in.parentId());
        categories.update(id, in.name().strip(), in.parentId(), Boolean.TRUE.equals(in.isTab()), levels);
        return category(id);
    }

    /** deleteCategory removes a category nothing refers to. */
    public void deleteCategory(long id) {
        if (tree().find(id).isEmpty()) {
            throw categoryNotFound(id);
        }
        CategoryRepository.Usage usage = categories.usage(id);
        if (usage.inUse()) {
            throw new ConflictException("in-use", "Category in use", "Category " + id + " still has "
                    + usage.children() + " child categories, " + usage.goods() + " goods (deleted ones included) and "
                    + usage.links() + " brand links.", Map.of("children", usage.children(), "goods", usage.goods(),
                    "links", usage.links()));
        }
        if (!categories.delete(id)) {
            throw categoryNotFound(id);
        }
    }

    private CategoryTree tree() {
        return new CategoryTree(categories.findAll());
    }

    private static NotFoundException categoryNotFound(long id) {
        return new NotFoundException("No category with id " + id + ".");
    }

    // ------------------------------------------------------------------ brands

    /** brandPage returns one page of brands by id. */
    public Page<Brand> brandPage(PageRequest page) {
        return Page.of(brands.count(), page, brands.page(page.offset(), page.pageSize()));
    }

    /** brand returns a brand. */
    public Brand brand(long id) {
        return brands.find(id).orElseThrow(() -> brandNotFound(id));
    }

    /** createBrand adds a brand; its name must be unique (case-insensitive). */
    public Brand createBrand(BrandInput in) {
        CatalogRules.check(in);
        String name = in.name().strip();
        String logo = CatalogRules.trim(in.logo(), "");
        if (brands.nameTaken(name, 0)) {
            throw CatalogProblems.duplicateBrand(name);
        }
        return new Brand(brands.insert(name, logo), name, logo);
    }

    /** updateBrand replaces a brand's name and logo (no logo: none). */
    public Brand updateBrand(long id, BrandInput in) {
        CatalogRules.check(in);
        brand(id);
        String name = in.name().strip();
        String logo = CatalogRules.trim(in.logo(), "");
        if (brands.nameTaken(name, id)) {
            throw CatalogProblems.duplicateBrand(name);
        }
        if (!brands.update(id, name, logo)) {
            throw brandNotFound(id);
        }
        return new Brand(id, name, logo);
    }

    /** deleteBrand removes a brand no goods and no category link refers to. */
    public void deleteBrand(long id) {
        brand(id);
        BrandRepository.Usage usage = brands.usage(id);
        if (usage.inUse()) {
            throw new ConflictException("in-use", "Brand in use", "Brand " + id + " is still used by " + usage.goods()
                    + " goods (deleted ones included) and linked to " + usage.links() + " categories.",
                    Map.of("goods", usage.goods(), "links", usage.links()));
        }
        if (!brands.delete(id)) {
            throw brandNotFound(id);
        }
    }

    private static NotFoundException brandNotFound(long id) {
        return new NotFoundException("No brand with id " + id + ".");
    }

    // ------------------------------------------------------------------ category-brand links

    /** linkPage returns one page of category-brand links by id. */
    public Page<CategoryBrand> linkPage(PageRequest page) {
        return Page.of(links.count(), page, links.page(page.offset(), page.pageSize()));
    }

    /** createLink links a brand to a category, once per pair. */
    public CategoryBrand createLink(CategoryBrandInput in) {
        checkLink(in, 0);
        long id = links.insert(in.categoryId(), in.brandId());
        return links.find(id).orElseThrow();
    }

    /** updateLink points a link at another category and brand. */
    public CategoryBrand updateLink(long id, CategoryBrandInput in) {
        CatalogRules.check(in);
        links.find(id).orElseThrow(() -> linkNotFound(id));
        checkLink(in, id);
        if (!links.update(id, in.categoryId(), in.brandId())) {
            throw linkNotFound(id);
        }
        return links.find(id).orElseThrow(() -> linkNotFound(id));
    }

    /** deleteLink removes a link. */
    public void deleteLink(long id) {
        if (!links.delete(id)) {
            throw linkNotFound(id);
        }
    }

    private void checkLink(CategoryBrandInput in, long exceptId) {
        CatalogRules.check(in);
        Validation v = new Validation()
                .when(tree().find(in.categoryId()).isEmpty(), "categoryId", "no category with id " + in.categoryId())
                .when(brands.find(in.brandId()).isEmpty(), "brandId", "no brand with id " + in.brandId());
        v.check();
        if (links.pairTaken(in.categoryId(), in.brandId(), exceptId)) {
            throw CatalogProblems.duplicateLink(in.categoryId(), in.brandId());
        }
    }

    private static NotFoundException linkNotFound(long id) {
        return new NotFoundException("No category-brand link with id " + id + ".");
    }

    // ------------------------------------------------------------------ banners

    /** bannerList returns every banner by index. */
    public List<Banner> bannerList() {
        return banners.all();
    }

    /** createBanner adds a banner; a goodsId must name a live goods. */
    public Banner createBanner(BannerInput in) {
        checkBanner(in);
        long id = banners.insert(CatalogRules.trim(in.image(), ""), CatalogRules.trim(in.url(), ""), in.goodsId(),
                in.index().intValue());
        return banners.find(id).orElseThrow();
    }

    /** updateBanner replaces a banner's fields (absent image, url or goodsId: none). */
    public Banner updateBanner(long id, BannerInput in) {
        CatalogRules.check(in);
        banners.find(id).orElseThrow(() -> bannerNotFound(id));
        checkBanner(in);
        if (!banners.update(id, CatalogRules.trim(in.image(), ""), CatalogRules.trim(in.url(), ""), in.goodsId(),
                in.index().intValue())) {
            throw bannerNotFound(id);
        }
        return banners.find(id).orElseThrow(() -> bannerNotFound(id));
    }

    /** deleteBanner removes a banner. */
    public void deleteBanner(long id) {
        if (!banners.delete(id)) {
            throw bannerNotFound(id);
        }
    }

    private void checkBanner(BannerInput in) {
        CatalogRules.check(in);
        if (in.goodsId() != null && !goods.isLive(in.goodsId())) {
            throw new InvalidInputException("goodsId", "no goods with id " + in.goodsId());
        }
    }

    private static NotFoundException bannerNotFound(long id) {
        return new NotFoundException("No banner with id " + id + ".");
    }
}
