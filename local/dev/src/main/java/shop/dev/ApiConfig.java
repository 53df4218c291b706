package shop.dev;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import shop.stack.Template;

/**
 * ApiConfig is what the runner takes from the {@code AWS::Serverless::Api} resource: the stage, the
 * CORS preflight answer SAM generates from {@code Cors}, the Lambda TOKEN authorizers and the
 * gateway responses (401, 403...) with their headers and bodies.
 *
 * @param logicalId        the API's logical id ({@code ShopApi})
 * @param stage            the stage name, as in method ARNs and {@code requestContext.stage}
 * @param cors             the preflight answer, empty when the API has no {@code Cors}
 * @param defaultAuthorizer the authorizer routes get unless they say {@code Authorizer: NONE}, or null
 * @param authorizers      the Lambda authorizers by name
 * @param gatewayResponses customised gateway responses by type ({@code UNAUTHORIZED}, {@code ACCESS_DENIED}...)
 */
record ApiConfig(String logicalId, String stage, Optional<Cors> cors, String defaultAuthorizer,
                 Map<String, TokenAuthorizer> authorizers, Map<String, GatewayResponse> gatewayResponses) {

    /** Cors is the OPTIONS answer: the header values without the quotes API Gateway wants around them. */
    record Cors(String allowOrigin, String allowMethods, String allowHeaders, String maxAge) {
    }

    /**
     * TokenAuthorizer is a Lambda authorizer of payload type TOKEN.
     *
     * @param functionId            logical id of the authorizer function
     * @param header                the identity header
     * @param validation            the token must match this, or API Gateway answers 401 without calling the function
     * @param reauthorizeEverySeconds how long a policy is cached per token (0 = not cached)
     */
    record TokenAuthorizer(String functionId, String header, Optional<Pattern> validation, int reauthorizeEverySeconds) {
    }

    /** GatewayResponse is a response API Gateway answers by itself. */
    record GatewayResponse(int status, Map<String, String> headers, String contentType, String body) {
    }

    /** fromTemplate reads the API with this logical id, resolving its parameters with {@code intrinsics}. */
    static ApiConfig fromTemplate(Template template, String logicalId, Intrinsics intrinsics) {
        Map<String, Object> props = new LinkedHashMap<>(Template.map(template.globals("Api")));
        props.putAll(template.properties(logicalId));
        String stage = intrinsics.resolve(props.get("StageName"));

        Optional<Cors> cors = Optional.empty();
        Object rawCors = props.get("Cors");
        if (rawCors instanceof String origin) {
            cors = Optional.of(new Cors(intrinsics.unquoted(origin), "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT", "", ""));
        } else if (rawCors != null) {
            Map<String, Object> c = Template.map(rawCors);
            cors = Optional.of(new Cors(intrinsics.unquoted(c.get("AllowOrigin")),
                    c.containsKey("AllowMethods") ? intrinsics.unquoted(c.get("AllowMethods")) : "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT",
                    intrinsics.unquoted(c.get("AllowHeaders")), intrinsics.unquoted(c.get("MaxAge"))));
        }

        Map<String, Object> auth = Template.map(props.get("Auth"));
        String defaultAuthorizer = auth.get("DefaultAuthorizer") instanceof String s && !"NONE".equals(s) ? s : null;
        Map<String, TokenAuthorizer> authorizers = new LinkedHashMap<>();
        Template.map(auth.get("Authorizers")).forEach((name, raw) -> {
            Map<String, Object> a = Template.map(raw);
            String payload = String.valueOf(a.getOrDefault("FunctionPayloadType", "TOKEN"));
            if (!"TOKEN".equals(payload) || !a.containsKey("FunctionArn")) {
                throw new IllegalArgumentException("authorizer " + name + ": the local runner supports Lambda TOKEN authorizers only");
            }
            Map<String, Object> identity = Template.map(a.get("Identity"));
            String header = String.valueOf(identity.getOrDefault("Header", "Authorization"));
            Optional<Pattern> validation = Optional.ofNullable((String) identity.get("ValidationExpression")).map(Pattern::compile);
            int ttl = identity.get("ReauthorizeEvery") instanceof Number n ? n.intValue() : 300;
            authorizers.put(name, new TokenAuthorizer(functionOf(a.get("FunctionArn")), header, validation, ttl));
        });

        Map<String, GatewayResponse> responses = new LinkedHashMap<>();
        Template.map(props.get("GatewayResponses")).forEach((type, raw) -> {
            Map<String, Object> r = Template.map(raw);
            Map<String, String> headers = new LinkedHashMap<>();
            Template.map(Template.map(r.get("ResponseParameters")).get("Headers"))
                    .forEach((h, v) -> headers.put(h, intrinsics.unquoted(v)));
            Map<String, Object> templates = Template.map(r.get("ResponseTemplates"));
            String contentType = templates.isEmpty() ? "application/json" : templates.keySet().iterator().next();
            String body = templates.isEmpty() ? null : String.valueOf(templates.get(contentType));
            Object code = r.get("StatusCode");
            // No StatusCode (DEFAULT_4XX, DEFAULT_5XX): the response keeps the status of its type.
            int status = code == null ? 0 : code instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(code));
            responses.put(type, new GatewayResponse(status, headers, contentType, body));
        });
        return new ApiConfig(logicalId, stage, cors, defaultAuthorizer, authorizers, responses);
    }

    /**
     * functionOf returns the function a {@code !Ref Fn.Alias} (its SnapStart alias, as the template
     * names it) or a {@code !GetAtt Fn.Arn} names; locally both run the same handler.
     */
    private static String functionOf(Object arn) {
        Object ref = Template.map(arn).get("Ref");
        if (ref instanceof String r && r.endsWith(".Alias")) {
            return r.substring(0, r.length() - ".Alias".length());
        }
        Object getAtt = Template.map(arn).get("Fn::GetAtt");
        List<Object> parts = Template.list(getAtt);
        if (parts.size() != 2 || !"Arn".equals(parts.get(1))) {
            throw new IllegalArgumentException("authorizer FunctionArn must be !Ref FUNCTION.Alias or !GetAtt FUNCTION.Arn, not "
                    + arn);
        }
        return String.valueOf(parts.getFirst());
    }
}
