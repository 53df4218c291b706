package shop.catalog;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;
import shop.catalog.CatalogInputs.BannerInput;
import shop.catalog.CatalogInputs.BrandInput;
import shop.catalog.CatalogInputs.CategoryBrandInput;
import shop.catalog.CatalogInputs.CategoryInput;
import shop.catalog.CatalogInputs.GoodsFlags;
import shop.catalog.CatalogInputs.GoodsInput;
import shop.platform.auth.Caller;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.db.Transactions;
import shop.platform.error.InvalidInputException;
import shop.platform.error.Validation;
import shop.platform.http.ApiHandler;
import shop.platform.http.ApiRequest;
import shop.platform.http.ApiResponse;
import shop.platform.http.Cors;
import shop.platform.http.Router;
import shop.platform.idempotency.Idempotency;
import shop.platform.idempotency.JdbcIdempotencyStore;

/**
 * CatalogApiHandler is the CatalogApiFunction: goods, the category tree, brands, category-brand
 * links and banners. Reads are public; writes need role {@code admin}; POST creates honour
 * {@code Idempotency-Key}. It parses requests and maps results; the rules live in
 * {@link CatalogService} and {@link GoodsService}.
 */
public final class CatalogApiHandler extends ApiHandler {
    private static final Set<String> PAGE_PARAMS = Set.of("page", "pageSize");
    private static final Set<String> GOODS_PARAMS = Set.of("page", "pageSize", "priceMin", "priceMax", "isHot", "isNew",
            "isTab", "onSale", "topCategory", "brand", "keywords", "ids");
    /** MAX_IDS is the most ids a batch get may ask for. */
    public static final int MAX_IDS = 100;
    /** How long a completed create replays its response for its Idempotency-Key. */
    static final Duration IDEMPOTENCY_RETENTION = Duration.ofHours(24);
    /** How long a claimed key waits for its request before another may take it over (over the 15 s Timeout). */
    static final Duration IDEMPOTENCY_LEASE = Duration.ofSeconds(60);

    /** Creates the handler from the Lambda environment. */
    public CatalogApiHandler() {
        this(Env.system());
    }

    /** Creates the handler from an environment (the local runner calls this by reflection). */
    public CatalogApiHandler(Env env) {
        this(Wiring.from(env), Cors.from(env));
    }

    private CatalogApiHandler(Wiring w, Cors cors) {
        this(w.catalog(), w.goods(), w.idempotency(), cors);
        primeForSnapStart("catalog", List.of(primingRequest("GET", "/categories", Map.of(), null),
                primingRequest("GET", "/goods", Map.of(), null),
                primingRequest("GET", "/goods/{id}", Map.of("id", "1"), null),
                primingRequest("GET", "/banners", Map.of(), null)), w.dataSource());
    }

    /** Creates the handler around its services (tests). */
    CatalogApiHandler(CatalogService catalog, GoodsService goods, Idempotency idempotency) {
        this(catalog, goods, idempotency, Cors.ANY);
    }

    private CatalogApiHandler(CatalogService catalog, GoodsService goods, Idempotency idempotency, Cors cors) {
        super(routes(catalog, goods, idempotency), cors);
    }

    /** Wiring is what the handler builds once per execution environment. */
    record Wiring(CatalogService catalog, GoodsService goods, Idempotency idempotency, DataSource dataSource) {
        static Wiring from(Env env) {
            return of(Database.pool(DbConfig.from(env), AwsConfig.from(env), "catalog"), Clock.systemUTC());
        }

        /**
         * of wires the catalog over a pool. Creates and their idempotency records share one
         * {@link Transactions}, so a create and the completion of its key commit together.
         */
        static Wiring of(DataSource ds, Clock clock) {
            Transactions transactions = new Transactions(ds);
            var store = new JdbcIdempotencyStore(transactions, IDEMPOTENCY_RETENTION, IDEMPOTENCY_LEASE);
            Idempotency idempotency = new Idempotency(store, clock);
            Jdbc jdbc = new Jdbc(transactions);
            var categories = new JdbcCategoryRepository(jdbc);
            var brands = new JdbcBrandRepository(jdbc);
            var goods = new JdbcGoodsRepository(jdbc);
            return new Wiring(new CatalogService(categories, brands, new JdbcCategoryBrandRepository(jdbc),
                    new JdbcBannerRepository(jdbc), goods), new GoodsService(goods, categories, brands), idempotency, ds);
        }
    }

    private static Router routes(CatalogService catalog, GoodsService goods, Idempotency idem) {
        Router r = new Router();
        // Categories
        r.route("GET", "/categories", read(Set.of(), req -> ApiResponse.ok(catalog.categoryTree())));
        r.route("POST", "/categories", create(idem, req -> {
            CategoryNode node = catalog.createCategory(Bodies.read(req, CategoryInput.class));
            return ApiResponse.created(node, "/categories/" + node.id());
        }));
        r.route("GET", "/categories/{id}", read(Set.of(), req -> ApiResponse.ok(catalog.category(req.pathId("id")))));
        r.route("PUT", "/categories/{id}", write(req -> {
            long id = req.pathId("id");
            return ApiResponse.ok(catalog.updateCategory(id, Bodies.read(req, CategoryInput.class)));
        }));
        r.route("DELETE", "/categories/{id}", write(req -> {
            catalog.deleteCategory(req.pathId("id"));
            return ApiResponse.noContent();
        }));
        r.route("GET", "/categories/{id}/brands",
                read(Set.of(), req -> ApiResponse.ok(catalog.brandsOf(req.pathId("id")))));
        // Brands
        r.route("GET", "/brands", read(PAGE_PARAMS, req -> ApiResponse.ok(catalog.brandPage(page(req, null)))));
        r.route("POST", "/brands", create(idem, req -> {
            Brand brand = catalog.createBrand(Bodies.read(req, BrandInput.class));
            return ApiResponse.created(brand, "/brands/" + brand.id());
        }));
        r.route("GET", "/brands/{id}", read(Set.of(), req -> ApiResponse.ok(catalog.brand(req.pathId("id")))));
        r.route("PUT", "/brands/{id}", write(req -> {
            long id = req.pathId("id");
            return ApiResponse.ok(catalog.updateBrand(id, Bodies.read(req, BrandInput.class)));
        }));
        r.route("DELETE", "/brands/{id}", write(req -> {
            catalog.deleteBrand(req.pathId("id"));
            return ApiResponse.noContent();
        }));
        // Category-brand links
        r.route("GET", "/category-brands", read(PAGE_PARAMS, req -> ApiResponse.ok(catalog.linkPage(page(req, null)))));
        r.route("POST", "/category-brands", create(idem, req -> {
            CategoryBrand link = catalog.createLink(Bodies.read(req, CategoryBrandInput.class));
            return ApiResponse.created(link, "/category-brands/" + link.id());
        }));
        r.route("PUT", "/category-brands/{id}", write(req -> {
            long id = req.pathId("id");
            return ApiResponse.ok(catalog.updateLink(id, Bodies.read(req, CategoryBrandInput.class)));
        }));
        r.route("DELETE", "/category-brands/{id}", write(req -> {
            catalog.deleteLink(req.pathId("id"));
            return ApiResponse.noContent();
        }));
        // Banners
        r.route("GET", "/banners", read(Set.of(), req -> ApiResponse.ok(catalog.bannerList())));
        r.route("POST", "/banners", create(idem, req -> {
            Banner banner = catalog.createBanner(Bodies.read(req, BannerInput.class));
            return ApiResponse.created(banner, "/banners/" + banner.id());
        }));
        r.route("PUT", "/banners/{id}", write(req -> {
            long id = req.pathId("id");
            return ApiResponse.ok(catalog.updateBanner(id, Bodies.read(req, BannerInput.class)));
        }));
        r.route("DELETE", "/banners/{id}", write(req -> {
            catalog.deleteBanner(req.pathId("id"));
            return ApiResponse.noContent();
        }));
        // Goods
        r.route("GET", "/goods", read(GOODS_PARAMS, req -> {
            GoodsQuery q = goodsQuery(req);
            return ApiResponse.ok(goods.list(q, page(req, q.ids() == null ? null : (long) q.ids().size())));
        }));
        r.route("POST", "/goods", create(idem, req -> {
            Goods created = goods.create(Bodies.read(req, GoodsInput.class));
            return ApiResponse.created(created, "/goods/" + created.id());
        }));
        r.route("GET", "/goods/{id}", read(Set.of(), req -> ApiResponse.ok(goods.get(req.pathId("id")))));
        r.route("PUT", "/goods/{id}", write(req -> {
            long id = req.pathId("id");
            return ApiResponse.ok(goods.replace(id, Bodies.read(req, GoodsInput.class)));
        }));
        r.route("PATCH", "/goods/{id}", write(req -> {
            long id = req.pathId("id");
            return ApiResponse.ok(goods.setFlags(id, Bodies.read(req, GoodsFlags.class)));
        }));
        r.route("DELETE", "/goods/{id}", write(req -> {
            goods.delete(req.pathId("id"));
            return ApiResponse.noContent();
        }));
        return r;
    }

    /** read is a public route that takes only the given query parameters. */
    private static Function<ApiRequest, ApiResponse> read(Set<String> params, Function<ApiRequest, ApiResponse> f) {
        return req -> {
            req.rejectUnknownQuery(params);
            return f.apply(req);
        };
    }

    /** write is an admin-only route. */
    private static Function<ApiRequest, ApiResponse> write(Function<ApiRequest, ApiResponse> f) {
        return req -> {
            req.caller().require(Caller.ADMIN);
            return f.apply(req);
        };
    }

    /** create is an admin-only create that honours Idempotency-Key (checked after the role, so a 401 claims no key). */
    private static Function<ApiRequest, ApiResponse> create(Idempotency idem, Function<ApiRequest, ApiResponse> f) {
        return write(req -> idem.run(req, reservedId -> f.apply(req)));
    }

    private static PageRequest page(ApiRequest req, Long defaultSize) {
        Long page = req.queryLong("page", Long.MIN_VALUE, Long.MAX_VALUE).orElse(null);
        Long size = req.queryLong("pageSize", Long.MIN_VALUE, Long.MAX_VALUE).orElse(null);
        return PageRequest.of(page, size, defaultSize == null ? PageRequest.DEFAULT_SIZE
                : (int) Math.max(1, Math.min(defaultSize, PageRequest.MAX_SIZE)));
    }

    private static GoodsQuery goodsQuery(ApiRequest req) {
        long max = CatalogRules.PRICE_MAX;
        String keywords = req.query("keywords").orElse(null);
        new Validation().maxLength("keywords", keywords, Keywords.MAX_LENGTH).check();
        return new GoodsQuery(
                req.queryLong("priceMin", 0, max).orElse(null),
                req.queryLong("priceMax", 0, max).orElse(null),
                req.queryBool("isHot").orElse(null),
                req.queryBool("isNew").orElse(null),
                req.queryBool("isTab").orElse(null),
                req.queryBool("onSale").orElse(null),
                req.queryLong("topCategory", 1, Long.MAX_VALUE).orElse(null),
                req.queryLong("brand", 1, Long.MAX_VALUE).orElse(null),
                keywords,
                req.query("ids").map(CatalogApiHandler::ids).orElse(null));
    }

    private static List<Long> ids(String raw) {
        List<Long> ids = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            try {
                long id = Long.parseLong(part.strip());
                if (id < 1) {
                    throw new NumberFormatException();
                }
                ids.add(id);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("ids", "must be a comma-separated list of positive ids");
            }
        }
        if (ids.size() > MAX_IDS) {
            throw new InvalidInputException("ids", "must list at most " + MAX_IDS + " ids");
        }
        return ids;
    }
}
