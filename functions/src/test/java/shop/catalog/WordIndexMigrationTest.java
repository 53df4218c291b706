package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.testing.TestStack;

/**
 * An upgrade from the schema of the previous release (V1, V201, V202, V300, V301): the catalog's
 * later V203 and V204 are applied out of order, V204 indexes the names of the goods the database
 * already holds, live ones only, and drops FULLTEXT; V203 counts them.
 */
class WordIndexMigrationTest {

    /** The migrations the previous release shipped. */
    private static final List<String> RELEASED = List.of("V1__schema.sql", "V201__catalog_indexes.sql",
            "V202__goods_category_path_and_flag_indexes.sql", "V300__inventory_reserve_procedure.sql",
            "V301__inventory_reserve_trigger.sql");

    @Test
    void upgrade_appliesLaterCatalogMigrations_andV204BackfillsLiveGoods(@TempDir Path released) throws Exception {
        for (String name : RELEASED) {
            try (InputStream in = WordIndexMigrationTest.class.getResourceAsStream("/db/migration/" + name)) {
                Files.copy(in, released.resolve(name));
            }
        }
        TestStack test = TestStack.get();
        String adminUrl = test.stack().endpoints().jdbcUrl().replace("/shop?", "/?");
        exec(adminUrl, "DROP DATABASE IF EXISTS words_migration", "CREATE DATABASE words_migration");
        String url = test.stack().endpoints().jdbcUrl().replace("/shop?", "/words_migration?");
        try (HikariDataSource ds = Database.pool(new DbConfig(url, Optional.empty(), "root", "", 2),
                AwsConfig.from(test.env(Map.of())), "words-migration")) {
            Flyway.configure().dataSource(ds).locations("filesystem:" + released).load().migrate();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO category (name, level) VALUES ('Food', 1)");
                s.execute("INSERT INTO brand (name) VALUES ('Orchard')");
                s.execute("""
                        INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, images, desc_images, deleted_at)
                        VALUES ('Orchard Fuji Apples', 'A', 1, 1, 100, '[]', '[]', NULL),
                               ('红富士苹果', 'B', 1, 1, 100, '[]', '[]', NULL),
                               ('Orchard Old Pears', 'C', 1, 1, 100, '[]', '[]', NOW(3))""");
            }
            assertEquals(9, Migrations.migrate(ds),
                    "V120 (out of order), V203, V204, V205, V206 and V207 (out of order), V302, V303 and V304");
            assertEquals(2, count(ds, "SELECT SUM(n) FROM goods_count"), "V203 counts the live goods");
            assertEquals(2, count(ds, "SELECT SUM(n) FROM goods_brand_price_count WHERE brand_id = 1 AND bucket = 310"),
                    "V206 counts the live goods by brand and price bucket");
            Map<String, Long> stats = new TreeMap<>();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT word, n FROM goods_word_stat")) {
                while (rs.next()) {
                    stats.put(rs.getString(1), rs.getLong(2));
                }
            }
            Map<String, Long> expected = new TreeMap<>();
            Keywords.indexWords("Orchard Fuji Apples").forEach(w -> expected.merge(w, 1L, Long::sum));
            Keywords.indexWords("红富士苹果").forEach(w -> expected.merge(w, 1L, Long::sum));
            assertEquals(expected, stats, "the deleted goods' words (old, pears) are not indexed");
            assertEquals(expected.values().stream().mapToLong(Long::longValue).sum(),
                    count(ds, "SELECT COUNT(*) FROM goods_word"));
            assertEquals(0, count(ds, "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = "
                    + "'words_migration' AND index_name IN ('ft_goods_name', 'idx_goods_name')"));
            assertEquals(8, count(ds, "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = "
                    + "'words_migration' AND table_name = 'goods' AND column_name = 'id' AND collation = 'D'"),
                    "V205: the list indexes hold id descending");
            assertEquals(1, count(ds, "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = "
                    + "'words_migration' AND table_name = 'goods_word' AND index_name = 'PRIMARY' AND column_name = 'goods_id'"
                    + " AND collation = 'D'"), "V207: a word's goods are held newest first");
        } finally {
            exec(adminUrl, "DROP DATABASE IF EXISTS words_migration");
        }
    }

    private static long count(HikariDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(String url, String... sql) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url, "root", ""); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }
}
