package shop.platform.auth;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import shop.platform.error.ForbiddenException;
import shop.platform.error.UnauthorizedException;

/**
 * Caller is who the Lambda authorizer vouched for: its subject and roles, as API Gateway passes
 * them in {@code requestContext.authorizer} ({@code principalId} and the {@code roles} context
 * value, comma-separated).
 *
 * @param subject the token's subject, or empty for an anonymous caller
 * @param roles   the caller's roles
 */
public record Caller(String subject, Set<String> roles) {
    /** ADMIN may change the catalog, stock and images. */
    public static final String ADMIN = "admin";
    /** SERVICE is the order service: it reserves, confirms and cancels stock. */
    public static final String SERVICE = "service";

    /** fromAuthorizerContext reads the authorizer's output; null means no authorizer ran. */
    public static Caller fromAuthorizerContext(Map<String, Object> authorizer) {
        if (authorizer == null || authorizer.get("principalId") == null) {
            return new Caller("", Set.of());
        }
        Object raw = authorizer.getOrDefault("roles", "");
        Set<String> roles = Arrays.stream(String.valueOf(raw).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new Caller(String.valueOf(authorizer.get("principalId")), roles);
    }

    /** anonymous tells whether no token was presented. */
    public boolean anonymous() {
        return subject.isEmpty();
    }

    /** require fails with 401 for an anonymous caller and 403 for one without the role. */
    public Caller require(String role) {
        if (anonymous()) {
            throw new UnauthorizedException("This route needs a bearer token with role " + role + ".");
        }
        if (!roles.contains(role)) {
            throw new ForbiddenException("This route needs role " + role + "; the token has " + roles + ".");
        }
        return this;
    }
}
