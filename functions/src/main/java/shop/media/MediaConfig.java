package shop.media;

import java.net.URI;
import java.time.Duration;
import shop.platform.config.ConfigException;
import shop.platform.config.Env;

/**
 * MediaConfig is what the two media functions read from their environment, validated at start.
 */
public final class MediaConfig {
    private MediaConfig() {
    }

    /**
     * Api is the configuration of the uploads API.
     *
     * @param bucket           IMAGES_BUCKET
     * @param ticketsTable     UPLOAD_TICKETS_TABLE
     * @param idempotencyTable IDEMPOTENCY_TABLE
     * @param maxBytes         UPLOAD_MAX_BYTES (default 5 MiB)
     * @param urlTtl           UPLOAD_URL_TTL_SECONDS (default 300)
     */
    public record Api(String bucket, String ticketsTable, String idempotencyTable, long maxBytes, Duration urlTtl) {
        /** from reads and validates the variables. */
        public static Api from(Env env) {
            return new Api(env.require("IMAGES_BUCKET"), env.require("UPLOAD_TICKETS_TABLE"),
                    env.require("IDEMPOTENCY_TABLE"),
                    env.integer("UPLOAD_MAX_BYTES", 5 * 1024 * 1024, 1, Integer.MAX_VALUE),
                    Duration.ofSeconds(env.integer("UPLOAD_URL_TTL_SECONDS", 300, 1, 7 * 24 * 3600)));
        }
    }

    /**
     * Complete is the configuration of the upload-complete function.
     *
     * @param bucket        IMAGES_BUCKET (events from any other bucket are ignored)
     * @param ticketsTable  UPLOAD_TICKETS_TABLE
     * @param publicBaseUrl PUBLIC_IMAGE_BASE_URL, without a trailing slash
     * @param imageLimits   IMAGE_MAX_WIDTH and IMAGE_MAX_HEIGHT in pixels (default 8,000 each, at most 65,535)
     */
    public record Complete(String bucket, String ticketsTable, String publicBaseUrl,
                           ImageInspector.Limits imageLimits) {
        /** from reads and validates the variables. */
        public static Complete from(Env env) {
            String base = env.require("PUBLIC_IMAGE_BASE_URL");
            try {
                URI uri = URI.create(base);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException("PUBLIC_IMAGE_BASE_URL", "must be an http(s) URL, not '" + base + "'");
            }
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            ImageInspector.Limits defaults = ImageInspector.Limits.DEFAULT;
            return new Complete(env.require("IMAGES_BUCKET"), env.require("UPLOAD_TICKETS_TABLE"), base,
                    new ImageInspector.Limits(env.integer("IMAGE_MAX_WIDTH", defaults.maxWidth(), 1, 65_535),
                            env.integer("IMAGE_MAX_HEIGHT", defaults.maxHeight(), 1, 65_535)));
        }
    }
}
