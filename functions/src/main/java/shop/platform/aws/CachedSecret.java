package shop.platform.aws;

import java.time.Duration;
import java.util.Objects;
import shop.platform.snapstart.SnapshotSensitive;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.lambda.powertools.parameters.cache.CacheManager;
import software.amazon.lambda.powertools.parameters.secrets.SecretsProvider;

/**
 * CachedSecret is one Secrets Manager secret read through Powertools' {@link SecretsProvider}: cached
 * for {@link #MAX_AGE} so that a rotation reaches every environment within that time, read again at
 * once when its user was refused ({@link #refresh}), and dropped before a SnapStart snapshot so that
 * no secret is frozen into it. Thread-safe.
 */
public final class CachedSecret implements SnapshotSensitive {
    /**
     * MAX_AGE bounds how long a value is used without asking Secrets Manager again. A refused login
     * re-reads at once, so this matters only for credentials whose old value still works for a while
     * (a Redis AUTH token rotated with the ROTATE strategy); it costs one GetSecretValue call per
     * environment and 5 minutes at most.
     */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);

    private final SecretsManagerClient client;
    private final String secretId;
    private final Duration maxAge;
    // A new provider is an empty cache: Powertools has no call to drop one entry.
    private volatile SecretsProvider provider;

    /** CachedSecret reads {@code secretId} (name or ARN) with {@code client}, caching it for maxAge. */
    public CachedSecret(SecretsManagerClient client, String secretId, Duration maxAge) {
        this.client = Objects.requireNonNull(client, "client");
        this.secretId = Objects.requireNonNull(secretId, "secretId");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.provider = emptyCache();
    }

    /** value returns the secret string, from the cache while it is younger than the max age. */
    public String value() {
        return provider.get(secretId);
    }

    /**
     * refresh is called when {@code refused} did not work any more: it reads the secret again unless
     * another thread already did (one read for a burst of refusals), and returns the value now in
     * force, which equals {@code refused} when the secret has not changed.
     */
    public synchronized String refresh(String refused) {
        String cached = value();
        if (!cached.equals(refused)) {
            return cached;
        }
        provider = emptyCache();
        return value();
    }

    /** Before a snapshot: forget the value, so no secret is in the snapshot and none is stale after it. */
    @Override
    public void beforeSnapshot() {
        provider = emptyCache();
    }

    /** secretId is the name or ARN read. */
    public String secretId() {
        return secretId;
    }

    private SecretsProvider emptyCache() {
        CacheManager cache = new CacheManager();
        cache.setDefaultExpirationTime(maxAge);
        return SecretsProvider.builder().withClient(client).withCacheManager(cache).build();
    }
}
