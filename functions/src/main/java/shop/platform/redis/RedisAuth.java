package shop.platform.redis;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import javax.net.ssl.SSLParameters;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultRedisCredentials;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.RedisCredentialsProvider;
import shop.platform.aws.AwsClients;
import shop.platform.aws.CachedSecret;
import shop.platform.config.AwsConfig;
import shop.platform.config.RedisConfig;
import shop.platform.json.Json;
import shop.platform.snapstart.SnapshotSensitive;

/**
 * RedisAuth is how every Redis connection of an environment authenticates: the ElastiCache AUTH token
 * (or RBAC user) from the REDIS_AUTH_SECRET_ARN secret, read on each new connection from a cache
 * with an expiry ({@link CachedSecret#MAX_AGE}), or nothing. Rotate the token with ElastiCache's
 * ROTATE strategy, which accepts the old and the new token, and switch to SET only after the max age
 * has passed. {@link #clientConfig} also turns on TLS with the server's host name checked.
 */
public final class RedisAuth implements RedisCredentialsProvider, SnapshotSensitive {
    private final Optional<CachedSecret> secret;

    private RedisAuth(Optional<CachedSecret> secret) {
        this.secret = secret;
    }

    /** none is no AUTH (a local Redis, or an ElastiCache cluster without a token). */
    public static RedisAuth none() {
        return new RedisAuth(Optional.empty());
    }

    /** fromSecret authenticates with the token held by a cached secret. */
    public static RedisAuth fromSecret(CachedSecret secret) {
        return new RedisAuth(Optional.of(secret));
    }

    /** from reads REDIS_AUTH_SECRET_ARN through a Secrets Manager client of its own. */
    public static RedisAuth from(RedisConfig redis, AwsConfig aws) {
        return redis.authSecretArn()
                .map(arn -> fromSecret(new CachedSecret(AwsClients.secrets(aws), arn, CachedSecret.MAX_AGE)))
                .orElseGet(RedisAuth::none);
    }

    /** enabled is whether connections send AUTH. */
    public boolean enabled() {
        return secret.isPresent();
    }

    /** credentials returns the user (null for the default user) and password to AUTH with, if any. */
    public Optional<RedisCredentials> credentials() {
        return secret.map(s -> parse(s.value(), s.secretId()));
    }

    /** get is Jedis' hook, called for every new connection; only installed when {@link #enabled()}. */
    @Override
    public RedisCredentials get() {
        return credentials().orElseThrow(() -> new IllegalStateException("no Redis AUTH configured"));
    }

    /** Before a snapshot: forget the token. */
    @Override
    public void beforeSnapshot() {
        secret.ifPresent(CachedSecret::beforeSnapshot);
    }

    /**
     * clientConfig starts a Jedis client configuration with AUTH (when enabled) and, when {@code tls},
     * TLS whose certificate must match the host name (Jedis' default checks the chain only).
     */
    public DefaultJedisClientConfig.Builder clientConfig(boolean tls) {
        var builder = DefaultJedisClientConfig.builder().ssl(tls);
        if (tls) {
            builder.sslParameters(verifyingHostName());
        }
        if (enabled()) {
            builder.credentialsProvider(this);
        }
        return builder;
    }

    /** verifyingHostName are TLS parameters that check the certificate against the host connected to. */
    public static SSLParameters verifyingHostName() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    private static RedisCredentials parse(String value, String secretId) {
        String trimmed = value.trim();
        if (!trimmed.startsWith("{")) {
            return new DefaultRedisCredentials(null, trimmed);
        }
        try {
            JsonNode node = Json.MAPPER.readTree(trimmed);
            String password = node.path("password").asText("");
            if (password.isEmpty()) {
                throw new IllegalStateException("Redis AUTH secret " + secretId + " is JSON without a \"password\"");
            }
            String user = node.path("username").asText("");
            return new DefaultRedisCredentials(user.isEmpty() ? null : user, password);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Redis AUTH secret " + secretId + " is neither a token nor JSON", e);
        }
    }
}
