package shop.dev;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TokenAuthorization does what API Gateway does for a Lambda TOKEN authorizer: it takes the
 * identity header, answers 401 without calling the function when the header is missing or fails the
 * ValidationExpression, invokes the authorizer with {@code {type: TOKEN, authorizationToken,
 * methodArn}}, evaluates the returned IAM policy against the method ARN (an explicit Deny wins, an
 * Allow must match, wildcards {@code *} and {@code ?}), and caches the policy per token for
 * ReauthorizeEvery seconds, so a cached policy is evaluated against later methods' ARNs too, as in
 * AWS.
 */
final class TokenAuthorization {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthorization.class);

    /** Outcome of authorizing one request. */
    sealed interface Outcome {
        /** Allowed carries what goes into {@code requestContext.authorizer}. */
        record Allowed(Map<String, String> context) implements Outcome {
        }

        /** Refused names the gateway response type to answer with (UNAUTHORIZED, ACCESS_DENIED...). */
        record Refused(String gatewayResponse) implements Outcome {
        }

        /** Missing says the authorizer's handler class does not exist yet. */
        record Missing(String message) implements Outcome {
        }
    }

    private record Policy(String principalId, List<JsonNode> statements, Map<String, String> context) {
    }

    private record Cached(Policy policy, long expiresAtMillis) {
    }

    private final LambdaFunctions functions;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    TokenAuthorization(LambdaFunctions functions, Clock clock) {
        this.functions = functions;
        this.clock = clock;
    }

    /** authorize runs the authorizer for a request to {@code methodArn}. */
    Outcome authorize(ApiConfig.TokenAuthorizer authorizer, HttpCall request, String methodArn) {
        String token = request.header(authorizer.header()).orElse("");
        if (token.isBlank()) {
            return new Outcome.Refused("UNAUTHORIZED");
        }
        if (authorizer.validation().isPresent() && !authorizer.validation().get().matcher(token).matches()) {
            return new Outcome.Refused("UNAUTHORIZED");
        }
        String cacheKey = authorizer.functionId() + "\n" + token;
        Cached cached = cache.get(cacheKey);
        Policy policy;
        if (cached != null && cached.expiresAtMillis() > clock.millis()) {
            policy = cached.policy();
        } else {
            String event = ProxyEvent.JSON.createObjectNode().put("type", "TOKEN").put("authorizationToken", token)
                    .put("methodArn", methodArn).toString();
            String output;
            try {
                output = functions.invoke(authorizer.functionId(), event, LambdaFunctions.newRequestId());
            } catch (LambdaFunctions.HandlerMissingException e) {
                return new Outcome.Missing(e.getMessage());
            } catch (LambdaFunctions.FunctionErrorException e) {
                if ("Unauthorized".equals(e.getMessage())) {
                    return new Outcome.Refused("UNAUTHORIZED");
                }
                LOG.warn("authorizer {} failed with {}: {}. API Gateway answers 401 only when the error message is "
                        + "exactly 'Unauthorized'; any other error is a 500 (AUTHORIZER_FAILURE)",
                        authorizer.functionId(), e.errorType(), e.getMessage());
                return new Outcome.Refused("AUTHORIZER_FAILURE");
            }
            try {
                policy = parse(output);
            } catch (IllegalArgumentException e) {
                LOG.warn("authorizer {} returned an invalid policy ({}): {}", authorizer.functionId(), e.getMessage(), output);
                return new Outcome.Refused("AUTHORIZER_CONFIGURATION_ERROR");
            }
            if (authorizer.reauthorizeEverySeconds() > 0) {
                cache.put(cacheKey, new Cached(policy, clock.millis() + authorizer.reauthorizeEverySeconds() * 1000L));
            }
        }
        if (!allows(policy.statements(), methodArn)) {
            return new Outcome.Refused("ACCESS_DENIED");
        }
        Map<String, String> context = new LinkedHashMap<>(policy.context());
        context.put("principalId", policy.principalId());
        return new Outcome.Allowed(context);
    }

    private static Policy parse(String output) {
        JsonNode root;
        try {
            root = ProxyEvent.JSON.readTree(output);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode principal = field(root, "principalId");
        if (principal == null || !principal.isTextual()) {
            throw new IllegalArgumentException("no principalId");
        }
        JsonNode document = field(root, "policyDocument");
        JsonNode statement = document == null ? null : field(document, "Statement");
        if (statement == null) {
            throw new IllegalArgumentException("no policyDocument.Statement");
        }
        List<JsonNode> statements = new ArrayList<>();
        if (statement.isArray()) {
            statement.forEach(statements::add);
        } else {
            statements.add(statement);
        }
        Map<String, String> context = new LinkedHashMap<>();
        JsonNode ctx = field(root, "context");
        if (ctx != null && !ctx.isNull()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = ctx.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isContainerNode()) {
                    throw new IllegalArgumentException("context value " + e.getKey() + " is an object or array; "
                            + "API Gateway accepts only strings, numbers and booleans");
                }
                if (!e.getValue().isNull()) {
                    context.put(e.getKey(), e.getValue().asText());
                }
            }
        }
        return new Policy(principal.asText(), statements, context);
    }

    /** allows: no matching Deny and at least one matching Allow for execute-api:Invoke on the ARN. */
    static boolean allows(List<JsonNode> statements, String methodArn) {
        boolean allowed = false;
        for (JsonNode s : statements) {
            JsonNode effect = field(s, "Effect");
            if (effect == null || !matchesAny(field(s, "Action"), "execute-api:Invoke")
                    || !matchesAny(field(s, "Resource"), methodArn)) {
                continue;
            }
            if ("Deny".equalsIgnoreCase(effect.asText())) {
                return false;
            }
            allowed |= "Allow".equalsIgnoreCase(effect.asText());
        }
        return allowed;
    }

    private static boolean matchesAny(JsonNode patterns, String value) {
        if (patterns == null) {
            return false;
        }
        if (patterns.isArray()) {
            for (JsonNode p : patterns) {
                if (wildcard(p.asText()).matcher(value).matches()) {
                    return true;
                }
            }
            return false;
        }
        return wildcard(patterns.asText()).matcher(value).matches();
    }

    private static Pattern wildcard(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    /** field reads a key case-insensitively: serializers differ on Statement vs statement. */
    private static JsonNode field(JsonNode node, String name) {
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equalsIgnoreCase(name)) {
                return node.get(key);
            }
        }
        return null;
    }
}
