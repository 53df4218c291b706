package shop.stack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FunctionEnvironment computes a function's environment variables the way CloudFormation would
 * for a local deployment: {@code Globals.Function.Environment} merged with the function's own,
 * {@code !Ref}s to parameters resolved to their given or default values, {@code !Ref}s to
 * resources resolved to their local names, and the local overrides (endpoints, local keys) put on
 * top. A value it cannot resolve and nothing overrides is an error naming the variable.
 */
public final class FunctionEnvironment {
    /** Variables the Lambda runtime itself sets; a function may read them without the template. */
    public static final Set<String> RUNTIME_PROVIDED = Set.of("AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE", "_X_AMZN_TRACE_ID", "TZ");

    /**
     * Variables that exist only locally: the stand-ins' endpoints (Secrets Manager's is moto_server in
     * the rotation tests), and database credentials where a deployment uses DB_SECRET_ARN. Unset in a
     * deployment.
     */
    public static final Set<String> LOCAL_ONLY = Set.of("S3_ENDPOINT", "DYNAMODB_ENDPOINT", "SECRETS_MANAGER_ENDPOINT",
            "DB_USER", "DB_PASSWORD");

    private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private FunctionEnvironment() {
    }

    /**
     * declared returns the variable names the template sets for a function (globals and its own),
     * unresolved.
     */
    public static Set<String> declared(Template template, String functionId) {
        Map<String, Object> merged = new LinkedHashMap<>(variables(template.globals("Function")));
        merged.putAll(variables(template.properties(functionId)));
        return merged.keySet();
    }

    /**
     * resolve returns the function's environment.
     *
     * @param parameters values for template parameters; others take their Default
     * @param resources  local names of resources by logical id
     * @param overrides  values that replace what the template says (local endpoints and keys)
     */
    public static Map<String, String> resolve(Template template, String functionId, Map<String, String> parameters,
                                              Map<String, String> resources, Map<String, String> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(variables(template.globals("Function")));
        merged.putAll(variables(template.properties(functionId)));
        Map<String, String> out = new LinkedHashMap<>();
        Resolver resolver = new Resolver(template, parameters, resources);
        merged.forEach((name, value) -> {
            if (overrides.containsKey(name)) {
                out.put(name, overrides.get(name));
            } else {
                try {
                    out.put(name, resolver.resolve(value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(functionId + " environment variable " + name + ": "
                            + e.getMessage() + " (give it a local override)", e);
                }
            }
        });
        overrides.forEach((name, value) -> {
            if (RUNTIME_PROVIDED.contains(name) || LOCAL_ONLY.contains(name)) {
                out.putIfAbsent(name, value);
            }
        });
        return out;
    }

    /**
     * resolveValue resolves one template value the same way: literals, {@code !Ref} to parameters,
     * local resources and pseudo parameters, {@code !Sub} and {@code !Join}.
     */
    public static String resolveValue(Template template, Map<String, String> parameters, Map<String, String> resources,
                                      Object value) {
        return new Resolver(template, parameters, resources).resolve(value);
    }

    private static Map<String, Object> variables(Map<String, Object> props) {
        return Template.map(Template.map(props.get("Environment")).get("Variables"));
    }

    /** Resolves the intrinsic functions that make sense without a deployed stack. */
    private record Resolver(Template template, Map<String, String> parameters, Map<String, String> resources) {
        String resolve(Object value) {
            return switch (value) {
                case null -> "";
                case String s -> s;
                case Number n -> n.toString();
                case Boolean b -> b.toString();
                case Map<?, ?> m when m.size() == 1 -> intrinsic((String) m.keySet().iterator().next(),
                        m.values().iterator().next());
                default -> throw new IllegalArgumentException("cannot resolve " + value);
            };
        }

        private String intrinsic(String fn, Object arg) {
            return switch (fn) {
                case "Ref" -> ref((String) arg);
                case "Fn::Sub" -> sub(arg);
                case "Fn::Join" -> {
                    List<Object> parts = Template.list(arg);
                    String sep = (String) parts.get(0);
                    yield String.join(sep, Template.list(parts.get(1)).stream().map(this::resolve).toList());
                }
                case "Fn::If" -> {
                    List<Object> parts = Template.list(arg);
                    yield resolve(condition((String) parts.get(0)) ? parts.get(1) : parts.get(2));
                }
                default -> throw new IllegalArgumentException(fn + " is not resolvable locally");
            };
        }

        /** condition evaluates one of the template's Conditions with the given parameter values. */
        private boolean condition(String name) {
            Object definition = Template.map(template.root().get("Conditions")).get(name);
            if (definition == null) {
                throw new IllegalArgumentException("condition " + name + " is not declared");
            }
            return test(definition);
        }

        private boolean test(Object expression) {
            Map<String, Object> m = Template.map(expression);
            if (m.size() != 1) {
                throw new IllegalArgumentException("cannot evaluate condition " + expression);
            }
            String fn = m.keySet().iterator().next();
            Object arg = m.get(fn);
            return switch (fn) {
                case "Fn::Equals" -> {
                    List<Object> pair = Template.list(arg);
                    yield resolve(pair.get(0)).equals(resolve(pair.get(1)));
                }
                case "Fn::Not" -> !test(Template.list(arg).get(0));
                case "Fn::And" -> Template.list(arg).stream().allMatch(this::test);
                case "Fn::Or" -> Template.list(arg).stream().anyMatch(this::test);
                case "Condition" -> condition((String) arg);
                default -> throw new IllegalArgumentException(fn + " is not a condition function");
            };
        }

        private String sub(Object arg) {
            String text;
            Map<String, Object> vars = Map.of();
            if (arg instanceof List<?> l) {
                text = (String) l.get(0);
                vars = Template.map(l.get(1));
            } else {
                text = (String) arg;
            }
            Matcher m = SUB_VAR.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String replacement = vars.containsKey(name) ? resolve(vars.get(name)) : ref(name);
                m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        private String ref(String name) {
            if (parameters.containsKey(name)) {
                return parameters.get(name);
            }
            Map<String, Object> declared = Template.map(template.root().get("Parameters"));
            if (declared.containsKey(name)) {
                Object def = Template.map(declared.get(name)).get("Default");
                if (def == null) {
                    throw new IllegalArgumentException("parameter " + name + " has no Default");
                }
                return def instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                        : String.valueOf(def);
            }
            if (resources.containsKey(name)) {
                return resources.get(name);
            }
            return switch (name) {
                case "AWS::Region" -> "us-east-1";
                case "AWS::AccountId" -> "000000000000";
                case "AWS::StackName" -> "shop-local";
                case "AWS::Partition" -> "aws";
                case "AWS::URLSuffix" -> "amazonaws.com";
                default -> throw new IllegalArgumentException("!Ref " + name + " is neither a parameter nor a local resource");
            };
        }
    }
}
