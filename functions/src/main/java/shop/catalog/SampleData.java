package shop.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * SampleData fills an empty catalog with a small realistic one for local development
 * ({@code ./dev start --sample-data}): a three-level category tree with two tab categories, six
 * brands and their category links, 30 goods with prices, flags and no image URLs (upload them through the admin page), three
 * banners and a stock row per goods. It does nothing when any goods exists, so running it twice is
 * harmless; it runs in one transaction, so it never leaves half a catalog.
 */
public final class SampleData {

    private SampleData() {
    }

    /** Tree: top level -> second level -> leaves; every top level but Home is a tab. */
    private static final Map<String, Map<String, List<String>>> TREE = new java.util.LinkedHashMap<>();

    static {
        TREE.put("Electronics", linked("Phones", List.of("Smartphones", "Feature Phones"),
                "Audio", List.of("Headphones", "Speakers")));
        TREE.put("Fresh Food", linked("Fruit", List.of("Apples", "Citrus"),
                "Drinks", List.of("Tea", "Coffee")));
        TREE.put("Home", linked("Kitchen", List.of("Kettles", "Cookware"),
                "Lighting", List.of("Desk Lamps")));
    }

    private static Map<String, List<String>> linked(String a, List<String> aKids, String b, List<String> bKids) {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        m.put(a, aKids);
        m.put(b, bKids);
        return m;
    }

    private record Item(String name, String leaf, String brand, long price, boolean hot, boolean isNew, int stock) {
    }

    private static final List<String> BRANDS = List.of("Acme", "Zenith", "Orchard", "Kumo", "Lumen", "Hearth");
    private static final List<Item> GOODS = List.of(
            new Item("Acme Wireless Phone X", "Smartphones", "Acme", 399_900, true, true, 50),
            new Item("Acme Phone Lite", "Smartphones", "Acme", 129_900, false, false, 120),
            new Item("Zenith Pro 12", "Smartphones", "Zenith", 599_900, true, false, 30),
            new Item("Zenith Classic Flip", "Feature Phones", "Zenith", 19_900, false, false, 80),
            new Item("Kumo Senior Phone", "Feature Phones", "Kumo", 14_900, false, true, 60),
            new Item("Kumo Noise Cancelling Headphones", "Headphones", "Kumo", 89_900, true, true, 40),
            new Item("Acme Sport Earbuds", "Headphones", "Acme", 24_900, false, false, 200),
            new Item("Zenith Studio Headphones", "Headphones", "Zenith", 149_900, false, false, 25),
            new Item("Kumo Bluetooth Speaker Mini", "Speakers", "Kumo", 12_900, true, false, 150),
            new Item("Acme Smart Speaker", "Speakers", "Acme", 49_900, false, true, 70),
            new Item("Orchard Fuji Apples 2kg", "Apples", "Orchard", 2_590, true, false, 300),
            new Item("Orchard Gala Apples 1kg", "Apples", "Orchard", 1_290, false, false, 250),
            new Item("Orchard Green Apples 1kg", "Apples", "Orchard", 1_190, false, true, 180),
            new Item("Orchard Navel Oranges 3kg", "Citrus", "Orchard", 3_990, true, false, 140),
            new Item("Orchard Lemons 500g", "Citrus", "Orchard", 690, false, false, 400),
            new Item("Kumo Sencha Green Tea", "Tea", "Kumo", 1_590, false, true, 90),
            new Item("Kumo Jasmine Tea", "Tea", "Kumo", 1_290, false, false, 110),
            new Item("Hearth Breakfast Tea", "Tea", "Hearth", 990, true, false, 220),
            new Item("Hearth Dark Roast Coffee Beans", "Coffee", "Hearth", 2_490, true, true, 130),
            new Item("Hearth Decaf Coffee", "Coffee", "Hearth", 2_290, false, false, 60),
            new Item("Hearth Electric Kettle", "Kettles", "Hearth", 5_990, true, false, 45),
            new Item("Acme Smart Kettle", "Kettles", "Acme", 12_990, false, true, 35),
            new Item("Hearth Cast Iron Skillet", "Cookware", "Hearth", 7_990, false, false, 55),
            new Item("Hearth Nonstick Pan Set", "Cookware", "Hearth", 15_990, true, false, 20),
            new Item("Lumen Desk Lamp", "Desk Lamps", "Lumen", 6_990, false, false, 75),
            new Item("Lumen LED Desk Lamp Pro", "Desk Lamps", "Lumen", 11_990, true, true, 40),
            new Item("Lumen Clip Lamp", "Desk Lamps", "Lumen", 2_990, false, false, 95),
            new Item("Lumen Smart Bulb", "Lighting", "Lumen", 1_990, false, true, 500),
            new Item("Zenith Charger 65W", "Phones", "Zenith", 4_990, false, false, 160),
            new Item("Acme Phone Case", "Phones", "Acme", 1_990, false, false, 0));

    /** load inserts the sample catalog unless any goods exists; returns whether it did. */
    public static boolean load(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM goods")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return false;
                }
            }
            c.setAutoCommit(false);
            try {
                insertAll(c);
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load the sample catalog: " + e.getMessage(), e);
        }
    }

    private static void insertAll(Connection c) throws SQLException {
        Map<String, Long> categories = new HashMap<>();
        for (var top : TREE.entrySet()) {
            long topId = insert(c, "INSERT INTO category (name, parent_id, level, is_tab) VALUES (?, NULL, 1, ?)",
                    top.getKey(), !top.getKey().equals("Home"));
            categories.put(top.getKey(), topId);
            for (var mid : top.getValue().entrySet()) {
                long midId = insert(c, "INSERT INTO category (name, parent_id, level, is_tab) VALUES (?, ?, 2, FALSE)",
                        mid.getKey(), topId);
                categories.put(mid.getKey(), midId);
                for (String leaf : mid.getValue()) {
                    categories.put(leaf, insert(c,
                            "INSERT INTO category (name, parent_id, level, is_tab) VALUES (?, ?, 3, FALSE)", leaf, midId));
                }
            }
        }
        Map<String, Long> brands = new HashMap<>();
        for (String b : BRANDS) {
            brands.put(b, insert(c, "INSERT INTO brand (name, logo) VALUES (?, '')", b));
        }
        java.util.Set<String> links = new java.util.LinkedHashSet<>();
        long firstGoods = 0;
        int n = 0;
        for (Item g : GOODS) {
            n++;
            long id = insert(c, """
                    INSERT INTO goods (name, goods_sn, category_id, brand_id, market_price, shop_price, goods_brief,
                                       ship_free, is_new, is_hot, on_sale, goods_front_image, images, desc_images,
                                       click_num, sold_num, fav_num)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, '', '[]', '[]', ?, ?, ?)
                    """, g.name(), "SAMPLE-%04d".formatted(n), categories.get(g.leaf()), brands.get(g.brand()),
                    g.price() * 6 / 5, g.price(), "Sample: " + g.name() + ".", g.price() >= 5_000, g.isNew(), g.hot(),
                    n * 37 % 500, n * 13 % 200, n * 7 % 90);
            if (firstGoods == 0) {
                firstGoods = id;
            }
            // Stock on hand, with the ledger record it starts from (reconciliation holds from the start).
            insert(c, "INSERT INTO inventory (goods_id, on_hand) VALUES (?, ?)", id, g.stock());
            insert(c, "INSERT INTO stock_movement (goods_id, kind, moved_at, on_hand_delta, reserved_delta, replaced_on_hand,"
                    + " on_hand_after, reserved_after, version_after, caller) VALUES (?, 'OPENING', UTC_TIMESTAMP(3), ?, 0, 0,"
                    + " ?, 0, 0, 'sample-data')", id, g.stock(), g.stock());
            if (links.add(g.leaf() + "|" + g.brand())) {
                insert(c, "INSERT INTO goods_category_brand (category_id, brand_id) VALUES (?, ?)",
                        categories.get(g.leaf()), brands.get(g.brand()));
            }
        }
        insert(c, JdbcGoodsRepository.REPATH + " WHERE g.category_l1_id IS NULL"); // the goods' category path (V202)
        GoodsWordIndex.indexMissing(c); // the word index of their names (V204)
        // No image URLs: they would point the admin page at hosts outside this machine. Upload real
        // images through /admin/ (or POST /uploads) to see them.
        insert(c, "INSERT INTO banner (image, url, goods_id, sort_index) VALUES ('', '', ?, 1)", firstGoods);
        insert(c, "INSERT INTO banner (image, url, goods_id, sort_index) VALUES ('', 'https://shop.example/fresh', NULL, 2)");
        insert(c, "INSERT INTO banner (image, url, goods_id, sort_index) VALUES ('', 'https://shop.example/home', NULL, 3)");
    }

    private static long insert(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                return keys.next() ? keys.getLong(1) : 0;
            }
        }
    }
}
