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
 */
public record DbConfig(String jdbcUrl, Optional<String> secretArn, String user, String password, int poolSize) {

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
        return new DbConfig(url, secret, user, password, pool);
    }
}
