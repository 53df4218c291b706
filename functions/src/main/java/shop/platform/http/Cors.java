package shop.platform.http;

import java.util.regex.Pattern;
import shop.platform.config.ConfigException;
import shop.platform.config.Env;

/**
 * Cors is the origin browsers may call the API from, ALLOWED_ORIGIN: the template's
 * {@code AllowedOrigin} parameter, the same value API Gateway puts on its CORS preflight answer and
 * on the responses it makes itself (401, 403, 429, 5xx), so every response a browser sees agrees.
 *
 * <p>One origin, or {@code *} for any. A list would need the preflight to pick the caller's origin,
 * which SAM's {@code Cors} (a mock integration with a fixed header) and gateway responses cannot do.
 *
 * @param allowOrigin {@code *}, or one origin: scheme, host and port, no path
 */
public record Cors(String allowOrigin) {
    /** ANY lets every origin call (the parameter's default). */
    public static final Cors ANY = new Cors("*");
    /**
     * EXPOSED_HEADERS are the response headers a browser script may read besides the CORS-safelisted
     * ones: the stock's version for the next If-Match, where a create put its resource, when to retry
     * a 503 or 429, and whether a create was a replay of an earlier one.
     */
    public static final String EXPOSED_HEADERS = "ETag, Location, Retry-After, Idempotent-Replayed";
    /** ORIGIN is what a browser sends and compares byte for byte: no path, not even a trailing slash. */
    static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?");

    /** Cors checks the origin, naming the variable. */
    public Cors {
        if (!"*".equals(allowOrigin) && (allowOrigin == null || !ORIGIN.matcher(allowOrigin).matches())) {
            throw new ConfigException("ALLOWED_ORIGIN", "must be * or one origin such as https://shop.example"
                    + " (scheme, host, optional port; no path or trailing slash), not '" + allowOrigin + "'");
        }
    }

    /** from reads ALLOWED_ORIGIN (default {@code *}). */
    public static Cors from(Env env) {
        return new Cors(env.string("ALLOWED_ORIGIN", "*"));
    }
}
