package shop.ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import shop.stack.Template;

/**
 * ExpectedApi is what a deployed stack's REST API must look like, read from {@code template.yaml}
 * (with the stack's parameter values) and {@code docs/openapi.yaml}: every route with whether it
 * carries the authorizer, the authorizer itself, and the stage's throttling, access log and tracing.
 *
 * @param apiName            the REST API's name ({@code ${AWS::StackName}-api})
 * @param stageName          the stage
 * @param routes             {@code "METHOD /path"} to whether the route needs the authorizer
 * @param documented         the same from docs/openapi.yaml: {@code "METHOD /path"} to whether it names a security scheme
 * @param authorizer         the authorizer every protected route uses
 * @param throttleRate       the stage's default rate limit (requests per second)
 * @param throttleBurst      the stage's default burst limit
 * @param accessLogGroupName the log group the access log goes to
 * @param accessLogFormat    the access log's format
 * @param tracing            whether X-Ray tracing is on
 * @param cors               whether every path answers the CORS preflight (OPTIONS without authorizer)
 */
public record ExpectedApi(String apiName, String stageName, Map<String, Boolean> routes, Map<String, Boolean> documented,
                          Authorizer authorizer, double throttleRate, int throttleBurst, String accessLogGroupName,
                          String accessLogFormat, boolean tracing, boolean cors) {

    /**
     * Authorizer is the API's Lambda authorizer.
     *
     * @param name                 its name in the template
     * @param type                 TOKEN or REQUEST
     * @param identitySource       where the token comes from ({@code method.request.header.Authorization})
     * @param validationExpression the regular expression API Gateway checks the token against, or empty
     * @param ttlSeconds           how long a policy is cached
     */
    public record Authorizer(String name, String type, String identitySource, String validationExpression, int ttlSeconds) {
    }

    public ExpectedApi {
        routes = java.util.Collections.unmodifiableMap(new TreeMap<>(routes));
        documented = java.util.Collections.unmodifiableMap(new TreeMap<>(documented));
    }

    /** isWrite says whether a method changes state (and so must carry the authorizer unless the template says otherwise). */
    public static boolean isWrite(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    /**
     * of reads the expectation for one stack.
     *
     * @param template   template.yaml
     * @param openApi    docs/openapi.yaml, parsed
     * @param stackName  the stack's name
     * @param parameters the stack's parameter values (missing ones take the template's defaults)
     */
    public static ExpectedApi of(Template template, Map<String, Object> openApi, String stackName,
                                 Map<String, String> parameters) {
        Map<String, Object> declared = Template.map(template.root().get("Parameters"));
        java.util.function.Function<String, String> parameter = name -> Optional.ofNullable(parameters.get(name))
                .orElseGet(() -> String.valueOf(Template.map(declared.get(name)).get("Default")));

        String apiId = template.resourcesOfType("AWS::Serverless::Api").keySet().stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("template.yaml has no AWS::Serverless::Api"));
        Map<String, Object> api = template.properties(apiId);
        Map<String, Object> auth = Template.map(api.get("Auth"));
        String defaultAuthorizer = auth.get("DefaultAuthorizer") == null ? null : String.valueOf(auth.get("DefaultAuthorizer"));

        Map<String, Boolean> routes = new LinkedHashMap<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, resource) -> {
            Map<String, Object> props = Template.map(resource.get("Properties"));
            Template.map(props.get("Events")).forEach((eventId, raw) -> {
                Map<String, Object> event = Template.map(raw);
                Map<String, Object> p = Template.map(event.get("Properties"));
                if (!"Api".equals(event.get("Type")) || !(p.get("RestApiId") instanceof Map<?, ?> ref)
                        || !apiId.equals(ref.get("Ref"))) {
                    return;
                }
                Object authorizer = Template.map(p.get("Auth")).get("Authorizer");
                boolean authorized = authorizer == null ? defaultAuthorizer != null : !"NONE".equals(authorizer);
                routes.put(route(String.valueOf(p.get("Method")), String.valueOf(p.get("Path"))), authorized);
            });
        });

        Map<String, Boolean> documented = new LinkedHashMap<>();
        boolean globalSecurity = !Template.list(openApi.get("security")).isEmpty();
        Template.map(openApi.get("paths")).forEach((path, ops) -> Template.map(ops).forEach((method, op) -> {
            if (!java.util.Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
                return;
            }
            Object security = Template.map(op).get("security");
            documented.put(route(method, path), security == null ? globalSecurity : !Template.list(security).isEmpty());
        }));

        Authorizer authorizer = null;
        if (defaultAuthorizer != null) {
            Map<String, Object> a = Template.map(Template.map(auth.get("Authorizers")).get(defaultAuthorizer));
            Map<String, Object> identity = Template.map(a.get("Identity"));
            authorizer = new Authorizer(defaultAuthorizer, String.valueOf(a.getOrDefault("FunctionPayloadType", "TOKEN")),
                    "method.request.header." + identity.getOrDefault("Header", "Authorization"),
                    String.valueOf(identity.getOrDefault("ValidationExpression", "")),
                    Integer.parseInt(String.valueOf(identity.getOrDefault("ReauthorizeEvery", 300))));
        }

        double rate = Double.NaN;
        int burst = -1;
        for (Object s : Template.list(api.get("MethodSettings"))) {
            Map<String, Object> setting = Template.map(s);
            if ("/*".equals(setting.get("ResourcePath")) && "*".equals(String.valueOf(setting.get("HttpMethod")))) {
                rate = Double.parseDouble(resolve(setting.get("ThrottlingRateLimit"), parameter));
                burst = Integer.parseInt(resolve(setting.get("ThrottlingBurstLimit"), parameter));
            }
        }
        Map<String, Object> accessLog = Template.map(api.get("AccessLogSetting"));
        String logGroup = "";
        Object destination = accessLog.get("DestinationArn");
        if (destination instanceof Map<?, ?> getAtt && getAtt.get("Fn::GetAtt") != null) {
            String target = String.valueOf(Template.list(getAtt.get("Fn::GetAtt")).getFirst());
            Object name = template.properties(target).get("LogGroupName");
            logGroup = name == null ? target : resolve(name, parameter).replace("${AWS::StackName}", stackName);
        }
        return new ExpectedApi(stackName + "-api", resolve(api.get("StageName"), parameter), routes, documented, authorizer,
                rate, burst, logGroup, resolve(accessLog.getOrDefault("Format", ""), parameter).replace("${AWS::StackName}", stackName),
                Boolean.TRUE.equals(api.get("TracingEnabled")), api.get("Cors") != null);
    }

    /** route spells a route key: {@code "POST /goods/{id}"}. */
    public static String route(String method, String path) {
        return method.toUpperCase(Locale.ROOT) + " " + path;
    }

    /** resolve turns a literal, a {@code !Ref PARAMETER} or a {@code !Sub "...${PARAMETER}..."} into text. */
    private static String resolve(Object value, java.util.function.Function<String, String> parameter) {
        if (value instanceof Map<?, ?> m && m.get("Ref") != null) {
            return parameter.apply(String.valueOf(m.get("Ref")));
        }
        if (value instanceof Map<?, ?> m && m.get("Fn::Sub") instanceof String text) {
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\$\\{([A-Za-z0-9]+)}").matcher(text);
            return matcher.replaceAll(r -> java.util.regex.Matcher.quoteReplacement(parameter.apply(r.group(1))));
        }
        return String.valueOf(value);
    }
}
