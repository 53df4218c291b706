package shop.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.apigateway.model.Authorizer;
import software.amazon.awssdk.services.apigateway.model.Method;
import software.amazon.awssdk.services.apigateway.model.MethodSetting;
import software.amazon.awssdk.services.apigateway.model.Stage;

/**
 * ApiComparison lists every difference between a deployed REST API ({@link DeployedApi}, the SDK's
 * model objects) and what the template and docs/openapi.yaml say ({@link ExpectedApi}). It is a
 * pure function: no SDK call, no clock, so each rule is unit-tested on hand-built model objects.
 *
 * <p>The rules: every template route is deployed and nothing else is (CORS preflights aside); a
 * route the template protects carries the template's authorizer (a write without it is named as
 * such), a public one carries none; every path answers OPTIONS without an authorizer when the
 * template has CORS; the authorizer has the template's type, token source, validation expression
 * and cache time; the stage exists with the template's default throttling, an access log into the
 * template's log group with its format, and tracing; and docs/openapi.yaml documents each route
 * with the same protection.
 */
public final class ApiComparison {
    private ApiComparison() {
    }

    /** compare returns the differences, grouped by subject and in a stable order; empty when they agree. */
    public static List<Difference> compare(ExpectedApi expected, DeployedApi deployed) {
        List<Difference> out = new ArrayList<>();
        Optional<Authorizer> authorizer = authorizer(expected, deployed, out);
        routes(expected, deployed, authorizer.map(Authorizer::id).orElse(null), out);
        stage(expected, deployed.stage(), out);
        documentation(expected, out);
        return List.copyOf(out);
    }

    private static Optional<Authorizer> authorizer(ExpectedApi expected, DeployedApi deployed, List<Difference> out) {
        ExpectedApi.Authorizer want = expected.authorizer();
        if (want == null) {
            return Optional.empty();
        }
        Optional<Authorizer> found = deployed.authorizers().stream().filter(a -> want.name().equals(a.name())).findFirst();
        if (found.isEmpty()) {
            out.add(new Difference("authorizer " + want.name(), "missing", "a " + want.type() + " authorizer",
                    deployed.authorizers().stream().map(Authorizer::name).toList().toString()));
            return found;
        }
        Authorizer a = found.get();
        check(out, "authorizer " + want.name(), "type", want.type(), a.typeAsString());
        check(out, "authorizer " + want.name(), "identity source", want.identitySource(), a.identitySource());
        check(out, "authorizer " + want.name(), "token validation expression", emptyToNull(want.validationExpression()),
                emptyToNull(a.identityValidationExpression()));
        check(out, "authorizer " + want.name(), "policy cache time (s)", want.ttlSeconds(), a.authorizerResultTtlInSeconds());
        return found;
    }

    private static void routes(ExpectedApi expected, DeployedApi deployed, String authorizerId, List<Difference> out) {
        Map<String, Method> actual = new TreeMap<>();
        deployed.methods().forEach((path, byMethod) -> byMethod.forEach((m, method) -> actual.put(ExpectedApi.route(m, path), method)));

        expected.routes().forEach((route, protectedRoute) -> {
            Method method = actual.get(route);
            if (method == null) {
                out.add(new Difference(route, "route missing", "deployed", "absent"));
                return;
            }
            String type = method.authorizationType();
            String name = route.substring(0, route.indexOf(' '));
            if (protectedRoute) {
                boolean ok = "CUSTOM".equals(type) && authorizerId != null && authorizerId.equals(method.authorizerId());
                if (!ok) {
                    out.add(new Difference(route, ExpectedApi.isWrite(name) ? "write without the authorizer"
                            : "read without the authorizer", "authorizer " + expected.authorizer().name(),
                            type + (method.authorizerId() == null ? "" : " " + method.authorizerId())));
                }
            } else if (!"NONE".equals(type)) {
                out.add(new Difference(route, "public route behind an authorizer", "NONE", type));
            }
        });
        actual.keySet().stream().filter(route -> !expected.routes().containsKey(route) && !route.startsWith("OPTIONS "))
                .forEach(route -> out.add(new Difference(route, "route not in the template", "absent", "deployed")));

        if (expected.cors()) {
            expected.routes().keySet().stream().map(r -> r.substring(r.indexOf(' ') + 1)).distinct().forEach(path -> {
                Method options = actual.get("OPTIONS " + path);
                if (options == null) {
                    out.add(new Difference("OPTIONS " + path, "CORS preflight missing", "deployed", "absent"));
                } else if (!"NONE".equals(options.authorizationType())) {
                    out.add(new Difference("OPTIONS " + path, "CORS preflight behind an authorizer", "NONE",
                            options.authorizationType()));
                }
            });
        }
    }

    private static void stage(ExpectedApi expected, Stage stage, List<Difference> out) {
        String subject = "stage " + expected.stageName();
        if (stage == null) {
            out.add(new Difference(subject, "stage missing", "deployed", "absent"));
            return;
        }
        MethodSetting all = stage.methodSettings() == null ? null : stage.methodSettings().get("*/*");
        if (all == null) {
            out.add(new Difference(subject, "no default method settings (*/*)", "throttling " + expected.throttleRate() + "/"
                    + expected.throttleBurst(), "none"));
        } else {
            check(out, subject, "throttling rate limit (requests/s)", expected.throttleRate(), all.throttlingRateLimit());
            check(out, subject, "throttling burst limit", expected.throttleBurst(), all.throttlingBurstLimit());
            check(out, subject, "detailed metrics", true, all.metricsEnabled());
        }
        if (!expected.accessLogGroupName().isEmpty()) {
            String arn = stage.accessLogSettings() == null ? null : stage.accessLogSettings().destinationArn();
            String group = arn == null ? null : arn.replaceFirst(":\\*$", "").replaceFirst("^.*:log-group:", "");
            check(out, subject, "access log group", expected.accessLogGroupName(), group);
            check(out, subject, "access log format", expected.accessLogFormat(),
                    stage.accessLogSettings() == null ? null : stage.accessLogSettings().format());
        }
        check(out, subject, "X-Ray tracing", expected.tracing(), Boolean.TRUE.equals(stage.tracingEnabled()));
    }

    private static void documentation(ExpectedApi expected, List<Difference> out) {
        expected.routes().forEach((route, protectedRoute) -> {
            Boolean documented = expected.documented().get(route);
            if (documented == null) {
                out.add(new Difference(route, "not in docs/openapi.yaml", "documented", "absent"));
            } else if (documented != protectedRoute) {
                out.add(new Difference(route, "docs/openapi.yaml disagrees on the bearer token",
                        protectedRoute ? "security: bearer" : "security: []", documented ? "security: bearer" : "security: []"));
            }
        });
    }

    private static void check(List<Difference> out, String subject, String what, Object expected, Object actual) {
        boolean same = expected instanceof Number e && actual instanceof Number a
                ? Double.compare(e.doubleValue(), a.doubleValue()) == 0 : Objects.equals(expected, actual);
        if (!same) {
            out.add(new Difference(subject, what + " differs", String.valueOf(expected), String.valueOf(actual)));
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
