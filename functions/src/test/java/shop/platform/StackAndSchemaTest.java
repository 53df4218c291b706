package shop.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.db.Database;
import shop.platform.db.Migrations;
import shop.stack.LocalStack;
import shop.testing.TestStack;

/** The local stack starts, every server answers, and the migrations apply once. */
class StackAndSchemaTest {

    @Test
    void everyServerAnswers() throws Exception {
        TestStack test = TestStack.get();
        LocalStack stack = test.stack();
        try (Connection c = test.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).toLowerCase().contains("mariadb"), rs.getString(1));
        }
        assertEquals(5, stack.endpoints().redisNodes().size());
        for (String node : stack.endpoints().redisNodes()) {
            String[] hp = node.split(":");
            try (Jedis jedis = new Jedis(hp[0], Integer.parseInt(hp[1]))) {
                assertEquals("PONG", jedis.ping());
            }
        }
        AwsConfig aws = AwsConfig.from(test.env(java.util.Map.of()));
        try (var s3 = AwsClients.s3(aws); var dynamo = AwsClients.dynamo(aws)) {
            s3.headBucket(b -> b.bucket(stack.resources().name("ImagesBucket")));
            Set<String> tables = new HashSet<>(dynamo.listTables().tableNames());
            assertTrue(tables.containsAll(Set.of(stack.resources().name("IdempotencyTable"),
                    stack.resources().name("UploadTicketsTable"))), tables.toString());
        }
    }

    @Test
    void migrations_applyOnEmptyDatabase_andSecondRunChangesNothing() throws Exception {
        TestStack test = TestStack.get();
        String adminUrl = test.stack().endpoints().jdbcUrl().replace("/shop?", "/?");
        try (Connection c = java.sql.DriverManager.getConnection(adminUrl, "root", "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS migration_check");
            s.execute("CREATE DATABASE migration_check");
        }
        String url = test.stack().endpoints().jdbcUrl().replace("/shop?", "/migration_check?");
        try (HikariDataSource ds = Database.pool(new DbConfig(url, Optional.empty(), "root", "", 2),
                AwsConfig.from(test.env(java.util.Map.of())), "migration-check")) {
            int first = Migrations.migrate(ds);
            assertTrue(first >= 1, "no migration ran on an empty database");
            Set<String> tables = new HashSet<>();
            try (Connection c = ds.getConnection(); ResultSet rs = c.getMetaData().getTables("migration_check", null, "%", null)) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME").toLowerCase());
                }
            }
            assertTrue(tables.containsAll(Set.of("category", "brand", "goods_category_brand", "banner", "goods",
                    "inventory", "stock_sell_detail")), tables.toString());
            assertEquals(0, Migrations.migrate(ds), "a second run applied migrations again");
        } finally {
            try (Connection c = java.sql.DriverManager.getConnection(adminUrl, "root", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS migration_check");
            }
        }
    }
}
