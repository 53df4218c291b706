package shop.auth;

import java.net.URI;
import shop.platform.config.ConfigException;
import shop.platform.config.Env;

/**
 * AuthConfig is what the authorizer trusts.
 *
 * @param issuer   JWT_ISSUER, the exact {@code iss} tokens must carry
 * @param audience JWT_AUDIENCE, the {@code aud} (or Cognito access token {@code client_id}) they must carry
 * @param jwksUrl  JWKS_URL, where the issuer publishes its signing keys
 */
public record AuthConfig(String issuer, String audience, URI jwksUrl) {

    /** from reads and validates the authorizer's variables. */
    public static AuthConfig from(Env env) {
        String jwks = env.require("JWKS_URL");
        URI uri;
        try {
            uri = URI.create(jwks);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("JWKS_URL", "must be a URL, not '" + jwks + "'");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new ConfigException("JWKS_URL", "must be an http(s) URL, not '" + jwks + "'");
        }
        return new AuthConfig(env.require("JWT_ISSUER"), env.require("JWT_AUDIENCE"), uri);
    }
}
