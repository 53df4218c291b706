package shop.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * TokenVerifier checks a bearer JWT: its signature against the issuer's JWKS (RS256 or ES256; keys
 * cached and refreshed on an unknown {@code kid}), its expiry and not-before (60 s skew), its exact
 * issuer and its audience ({@code aud}, or {@code client_id} as Cognito access tokens carry it).
 * Roles come from the {@code roles} claim or Cognito's {@code cognito:groups}; unknown ones drop.
 */
public final class TokenVerifier {
    /** KNOWN_ROLES are the roles the API knows; others in a token are ignored. */
    public static final Set<String> KNOWN_ROLES = Set.of("admin", "service");

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String audience;

    /** Verified is a valid token's subject and roles. */
    public record Verified(String subject, Set<String> roles) {
    }

    /** Creates a verifier over a key source (tests pass an in-memory JWK set). */
    public TokenVerifier(JWKSource<SecurityContext> keys, String issuer, String audience) {
        this.audience = audience;
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(null,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp", "iat")));
    }

    /** fromConfig fetches keys from the configured JWKS URL, with caching, refresh and a retry. */
    public static TokenVerifier fromConfig(AuthConfig cfg) {
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(cfg.jwksUrl().toURL())
                    .retrying(true).build();
            return new TokenVerifier(keys, cfg.issuer(), cfg.audience());
        } catch (MalformedURLException e) {
            throw new IllegalStateException("JWKS_URL is not a URL: " + cfg.jwksUrl(), e);
        }
    }

    /** verify returns the token's subject and roles, or throws {@link InvalidTokenException}. */
    public Verified verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new InvalidTokenException(e.getMessage());
        }
        List<String> aud = claims.getAudience();
        Object clientId = claims.getClaim("client_id");
        if (!aud.contains(audience) && !audience.equals(clientId)) {
            throw new InvalidTokenException("audience " + aud + " does not include " + audience);
        }
        Set<String> roles = new LinkedHashSet<>();
        roles.addAll(stringsOf(claims.getClaim("roles")));
        roles.addAll(stringsOf(claims.getClaim("cognito:groups")));
        roles.retainAll(KNOWN_ROLES);
        return new Verified(claims.getSubject(), Set.copyOf(roles));
    }

    private static Collection<String> stringsOf(Object claim) {
        return switch (claim) {
            case null -> List.of();
            case Collection<?> c -> c.stream().map(String::valueOf).toList();
            case String s -> Arrays.stream(s.split("[ ,]")).filter(x -> !x.isBlank()).toList();
            default -> List.of();
        };
    }

    /** InvalidTokenException says why a token was refused (logged, never returned to the caller). */
    public static final class InvalidTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String reason) {
            super(reason);
        }
    }
}
