package shop.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import shop.testing.TestStack;

/**
 * CatalogDb sets up catalog rows with plain SQL (so a test of one route does not depend on
 * another) and snapshots the catalog tables, so a test can prove a rejected request changed nothing.
 */
final class CatalogDb {
    static final String[] TABLES = {"banner", "goods_category_brand", "goods", "category", "brand"};

    private CatalogDb() {
    }

    /**
     * reset empties the catalog's tables (and inventory's stock, reservations and ledger, which name goods). TRUNCATE fires
     * no trigger, so the goods counters (V203, V206) are emptied with goods.
     */
    static void reset() {
        TestStack.get().truncate("banner", "goods_category_brand", "inventory", "stock_sell_detail", "stock_movement",
                "stock_balance", "stock_balance_cursor",
                "goods", "goods_count",
                "goods_brand_price_count", "category", "brand", "goods_word", "goods_word_stat");
    }

    static long category(String name, Long parentId, int level, boolean isTab) {
        return insert("INSERT INTO category (name, parent_id, level, is_tab) VALUES ('" + esc(name) + "', "
                + parentId + ", " + level + ", " + isTab + ")");
    }

    static long brand(String name) {
        return insert("INSERT INTO brand (name, logo) VALUES ('" + esc(name) + "', 'https://img.example/" + esc(name) + ".png')");
    }

    static long link(long categoryId, long brandId) {
        return insert("INSERT INTO goods_category_brand (category_id, brand_id) VALUES (" + categoryId + ", " + brandId + ")");
    }

    /** goods inserts a live goods with the given price and flags. */
    static long goods(String name, long categoryId, long brandId, long price, boolean hot, boolean isNew, boolean onSale) {
        long id = insert("INSERT INTO goods (name, goods_sn, category_id, brand_id, market_price, shop_price, is_hot, is_new, "
                + "on_sale, images, desc_images) VALUES ('" + esc(name) + "', '" + esc("SN-" + name) + "', " + categoryId
                + ", " + brandId + ", " + (price + 100) + ", " + price + ", " + hot + ", " + isNew + ", " + onSale
                + ", '[]', '[]')");
        repath();
        return id;
    }

    /**
     * repath fills the category path (V202) and the name's word index (V204) of goods inserted with
     * plain SQL, as the repository does on insert.
     */
    static void repath() {
        exec(JdbcGoodsRepository.REPATH + " WHERE g.category_l1_id IS NULL");
        try (Connection c = TestStack.get().dataSource().getConnection()) {
            GoodsWordIndex.indexMissing(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void exec(String sql) {
        try (Connection c = TestStack.get().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static long count(String table) {
        return longQuery("SELECT COUNT(*) FROM " + table);
    }

    static long longQuery(String sql) {
        try (Connection c = TestStack.get().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** rows returns every row a query answers, as lists of column values. */
    static List<List<Object>> rows(String sql) {
        try (Connection c = TestStack.get().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rows(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static List<List<Object>> rows(ResultSet rs) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                row.add(rs.getObject(i));
            }
            rows.add(row);
        }
        return rows;
    }

    /** snapshot returns every row of every catalog table, in id order. */
    static Map<String, List<List<Object>>> snapshot() {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>();
        try (Connection c = TestStack.get().dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
                    out.put(table, rows(rs));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static long insert(String sql) {
        try (Connection c = TestStack.get().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(sql, Statement.RETURN_GENERATED_KEYS);
            try (ResultSet keys = s.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("'", "''");
    }
}
