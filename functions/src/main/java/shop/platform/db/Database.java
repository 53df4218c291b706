package shop.platform.db;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.json.Json;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Database builds the JDBC pool of an execution environment, once. A Lambda environment serves one
 * request at a time, so the pool is small; connections are validated and recycled before RDS or a
 * proxy would drop them. Credentials come from Secrets Manager when DB_SECRET_ARN is set.
 */
public final class Database {
    /**
     * SESSION_SETTINGS runs once on every new connection. It turns off the index-merge plans that
     * merge row-id ordered scans (intersect, union; sort_union sorts the row ids itself and stays):
     * they assume every scan yields rows in ascending primary-key order, which an index holding the
     * key descending does not (the goods list indexes, V205), and MariaDB before the fix of
     * MDEV-36410 (2025; the embedded 11.4.5 has the bug) then silently drops matching rows, e.g. a
     * brand + topCategory list intersected idx_goods_brand with idx_goods_category_l1_live and
     * returned one goods of three. Every list shape has a composite index of its own, so the plans
     * lose nothing. Runs on MySQL 8 and MariaDB. Behind RDS Proxy, put the same statement in the
     * proxy's initialization query instead, or the SET pins each session to its connection.
     */
    public static final String SESSION_SETTINGS =
            "SET SESSION optimizer_switch = 'index_merge_intersection=off,index_merge_union=off'";

    private Database() {
    }

    /** pool returns a started Hikari pool; it connects lazily so a cold start does not wait on RDS. */
    public static HikariDataSource pool(DbConfig cfg, AwsConfig aws, String name) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(name);
        hc.setJdbcUrl(cfg.jdbcUrl());
        if (cfg.secretArn().isPresent()) {
            try (SecretsManagerClient secrets = shop.platform.aws.AwsClients.secrets(aws)) {
                String json = secrets.getSecretValue(r -> r.secretId(cfg.secretArn().get())).secretString();
                JsonNode secret = Json.MAPPER.readTree(json);
                hc.setUsername(secret.path("username").asText());
                hc.setPassword(secret.path("password").asText());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("DB_SECRET_ARN does not hold a JSON {username, password} secret", e);
            }
        } else {
            hc.setUsername(cfg.user());
            hc.setPassword(cfg.password());
        }
        hc.setMaximumPoolSize(cfg.poolSize());
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(5_000);
        // A borrow may spend this on top of its wait (shop.platform.db.Bounded leaves it out of a
        // request's deadline); a ping slower than a second is a sick database anyway.
        hc.setValidationTimeout(1_000);
        hc.setMaxLifetime(280_000);
        hc.setKeepaliveTime(60_000);
        hc.setIdleTimeout(120_000);
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        hc.setConnectionInitSql(SESSION_SETTINGS);
        hc.addDataSourceProperty("cachePrepStmts", "true");
        hc.addDataSourceProperty("prepStmtCacheSize", "250");
        hc.addDataSourceProperty("prepStmtCacheSqlLimit", "2048");
        hc.addDataSourceProperty("useServerPrepStmts", "true");
        hc.addDataSourceProperty("rewriteBatchedStatements", "true");
        hc.addDataSourceProperty("useLocalSessionState", "true");
        hc.addDataSourceProperty("cacheServerConfiguration", "true");
        hc.addDataSourceProperty("elideSetAutoCommits", "true");
        hc.addDataSourceProperty("connectTimeout", "5000");
        hc.addDataSourceProperty("socketTimeout", "30000");
        return new HikariDataSource(hc);
    }

    /** close closes a pool built here, if it is one. */
    public static void close(DataSource ds) {
        if (ds instanceof HikariDataSource h) {
            h.close();
        }
    }
}
