package shop.platform.config;

import java.util.Optional;

/**
 * DbConfig is how to reach the MySQL/MariaDB database.
 *
 * @param jdbcUrl   DB_URL, a {@code jdbc:mysql://} URL
 * @param secretArn DB_SECRET_ARN: Secrets Manager secret with username and password (deployed)
 * @param user      DB_USER, when there is no secret (local)
 * @param password  DB_PASSWORD, when there is no secret (local)
 * @param poolSize  DB_POOL_SIZE, connections per execution environment
 * @param rdsProxy  DB_RDS_PROXY: DB_URL names an RDS Proxy endpoint, so nothing may pin a session
 *                  (client-side prepared statements, no session settings: the proxy's init query
 *                  holds them, see {@code Database.PROXY_INIT_QUERY})
 * @param caBundle  DB_CA_BUNDLE: PEM file of the CAs that sign the server's certificate (the RDS CA
 *                  bundle, from the template's layer), for {@code sslMode=VERIFY_IDENTITY}; empty
 *                  means the JVM's trust store (enough for an RDS Proxy, whose certificate is public)
 */
public record DbConfig(String jdbcUrl, Optional<String> secretArn, String user, String password, int poolSize,
                       boolean rdsProxy, Optional<String> caBundle) {

    /** DbConfig of a direct connection with the JVM's trust store (tests, benchmarks, the local runner). */
    public DbConfig(String jdbcUrl, Optional<String> secretArn, String user, String password, int poolSize) {
        this(jdbcUrl, secretArn, user, password, poolSize, false, Optional.empty());
    }

    /** from reads and validates the database variables. */
    public static DbConfig from(Env env) {
        String url = env.require("DB_URL");
        if (!url.startsWith("jdbc:mysql://") && !url.startsWith("jdbc:mariadb://")) {
            throw new ConfigException("DB_URL", "must start with jdbc:mysql://, not '" + url + "'");
        }
        Optional<String> secret = env.optional("DB_SECRET_ARN");
        String user = "";
        String password = "";
        if (secret.isEmpty()) {
            user = env.require("DB_USER");
            password = env.string("DB_PASSWORD", "");
        }
        int pool = env.integer("DB_POOL_SIZE", 2, 1, 64);
        boolean proxy = env.bool("DB_RDS_PROXY", false);
        Optional<String> caBundle = env.optional("DB_CA_BUNDLE");
        return new DbConfig(url, secret, user, password, pool, proxy, caBundle);
    }

    /** withJdbcUrl returns this configuration on another URL (a repository's extra options). */
    public DbConfig withJdbcUrl(String url) {
        return new DbConfig(url, secretArn, user, password, poolSize, rdsProxy, caBundle);
    }

    /** withPoolSize returns this configuration with another pool size. */
    public DbConfig withPoolSize(int size) {
        return new DbConfig(jdbcUrl, secretArn, user, password, size, rdsProxy, caBundle);
    }
}
