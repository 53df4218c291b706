package shop.stack;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * StackEndpoints is where every server of a running stack answers, and the credentials to use.
 *
 * @param jdbcUrl       JDBC URL of the shop database (MySQL protocol)
 * @param dbUser        the application user (DML and EXECUTE only), what functions connect as
 * @param dbPassword    its password
 * @param redisNodes    independent Redis masters as {@code host:port}, in a fixed order
 * @param s3Endpoint    S3 endpoint override, or {@code null} for real AWS
 * @param dynamoEndpoint DynamoDB endpoint override, or {@code null} for real AWS
 * @param region        AWS region
 * @param accessKey     AWS access key id (dummy locally)
 * @param secretKey     AWS secret key (dummy locally)
 * @param migration     the migration user (DDL, TRIGGER), what MigrateFunction connects as
 * @param admin         an administrator (root locally), for what only tests and the runner do:
 *                      emptying tables, killing sessions, server settings
 */
public record StackEndpoints(
        String jdbcUrl,
        String dbUser,
        String dbPassword,
        List<String> redisNodes,
        URI s3Endpoint,
        URI dynamoEndpoint,
        String region,
        String accessKey,
        String secretKey,
        DbAccount migration,
        DbAccount admin) {

    /** DbAccount is one database user and its password. */
    public record DbAccount(String user, String password) {
        @Override
        public String toString() {
            return user;
        }
    }

    public StackEndpoints {
        redisNodes = List.copyOf(redisNodes);
    }

    /** StackEndpoints where one user does everything (an external database given by DB_USER alone). */
    public StackEndpoints(String jdbcUrl, String dbUser, String dbPassword, List<String> redisNodes, URI s3Endpoint,
                          URI dynamoEndpoint, String region, String accessKey, String secretKey) {
        this(jdbcUrl, dbUser, dbPassword, redisNodes, s3Endpoint, dynamoEndpoint, region, accessKey, secretKey,
                new DbAccount(dbUser, dbPassword), new DbAccount(dbUser, dbPassword));
    }

    /** app is the application user as an account. */
    public DbAccount app() {
        return new DbAccount(dbUser, dbPassword);
    }

    @Override
    public String toString() {
        return "StackEndpoints[jdbcUrl=" + jdbcUrl + ", dbUser=" + dbUser + ", migration=" + migration + ", redisNodes="
                + redisNodes + ", s3Endpoint=" + s3Endpoint + ", dynamoEndpoint=" + dynamoEndpoint + ", region=" + region
                + "]";
    }

    /**
     * toEnvironment returns the function environment variables that point at this stack, with the
     * names the functions read (see README's configuration table).
     */
    public Map<String, String> toEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_URL", jdbcUrl);
        env.put("DB_USER", dbUser);
        env.put("DB_PASSWORD", dbPassword);
        env.put("REDIS_NODES", String.join(",", redisNodes));
        env.put("S3_ENDPOINT", s3Endpoint == null ? "" : s3Endpoint.toString());
        env.put("DYNAMODB_ENDPOINT", dynamoEndpoint == null ? "" : dynamoEndpoint.toString());
        env.put("AWS_REGION", region);
        env.put("AWS_ACCESS_KEY_ID", accessKey);
        env.put("AWS_SECRET_ACCESS_KEY", secretKey);
        return env;
    }
}
