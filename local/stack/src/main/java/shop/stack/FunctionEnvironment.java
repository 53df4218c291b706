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
 * {@link #samLocal} computes it the way {@code sam local invoke} does instead.
 *
 * <p>There is no list of variables a function may read without the template: the local-only ones
 * (the stand-ins' endpoints, local credentials) are declared in template.yaml, empty, because
 * {@code sam local invoke} overrides only declared variables.
 */
public final class FunctionEnvironment {
    /** Variables the Lambda runtime itself sets; a function may read them without the template. */
    public static final Set<String> RUNTIME_PROVIDED = Set.of("AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_LEVEL",
            "AWS_LAMBDA_LOG_FORMAT", "_X_AMZN_TRACE_ID", "TZ");

    /** The pseudo parameters as SAM CLI resolves them locally (its IntrinsicsSymbolTable defaults). */
    public static final Map<String, String> SAM_PSEUDO_PARAMETERS = Map.of("AWS::AccountId", "123456789012",
            "AWS::Partition", "aws", "AWS::Region", "us-east-1", "AWS::StackName", "local",
            "AWS::URLSuffix", "localhost");

    /** The pseudo parameters of the local runner's own stack. */
    private static final Map<String, String> LOCAL_PSEUDO_PARAMETERS = Map.of("AWS::AccountId", "000000000000",
            "AWS::Partition", "aws", "AWS::Region", "us-east-1", "AWS::StackName", "shop-local",
            "AWS::URLSuffix", "amazonaws.com");

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
        Resolver resolver = new Resolver(template, parameters, resources, LOCAL_PSEUDO_PARAMETERS);
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
            if (RUNTIME_PROVIDED.contains(name)) {
                out.putIfAbsent(name, value);
            }
        });
        return out;
    }

    /**
     * samLocal returns the environment {@code sam local invoke} gives a function (SAM CLI's
     * {@code EnvironmentVariables.resolve}): every variable the template declares for it, its value
     * resolved with the parameter values and SAM's pseudo parameters where it can be and blank where
     * it cannot (a {@code !GetAtt}, a {@code !Ref} to a resource), then replaced by the shell's value
     * of that name, then by the env-vars file's ({@code Parameters} for every function, then the
     * function's own section). A file's variable that the function does not declare is ignored, as
     * SAM ignores it. On top come the {@code AWS_*} variables SAM always sets.
     *
     * @param parameters {@code --parameter-overrides}; other parameters take their Default
     * @param shell      the shell's environment
     * @param envVars    the {@code --env-vars} file, section by section (may be empty)
     */
    public static Map<String, String> samLocal(Template template, String functionId, Map<String, String> parameters,
                                               Map<String, String> shell, Map<String, Map<String, String>> envVars) {
        Map<String, Object> merged = new LinkedHashMap<>(variables(template.globals("Function")));
        merged.putAll(variables(template.properties(functionId)));
        Map<String, String> overrides = new LinkedHashMap<>(envVars.getOrDefault("Parameters", Map.of()));
        overrides.putAll(envVars.getOrDefault(functionId, Map.of()));
        Resolver resolver = new Resolver(template, parameters, Map.of(), SAM_PSEUDO_PARAMETERS);
        Map<String, String> out = new LinkedHashMap<>(samAwsVariables(template, functionId));
        merged.forEach((name, value) -> {
            String v;
            try {
                v = resolver.resolve(value);
            } catch (IllegalArgumentException e) {
                v = ""; // SAM blanks what it cannot resolve
            }
            if (shell.containsKey(name)) {
                v = shell.get(name);
            }
            if (overrides.containsKey(name)) {
                v = overrides.get(name);
            }
            out.put(name, v);
        });
        return out;
    }

    /** samAwsVariables are the variables SAM CLI sets for every function, with its default credentials. */
    private static Map<String, String> samAwsVariables(Template template, String functionId) {
        Map<String, Object> globals = template.globals("Function");
        Map<String, Object> props = template.properties(functionId);
        Map<String, String> aws = new LinkedHashMap<>();
        aws.put("AWS_SAM_LOCAL", "true");
        aws.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(props.getOrDefault("MemorySize",
                globals.getOrDefault("MemorySize", 128))));
        aws.put("AWS_LAMBDA_FUNCTION_TIMEOUT", String.valueOf(props.getOrDefault("Timeout", globals.getOrDefault("Timeout", 3))));
        aws.put("AWS_LAMBDA_FUNCTION_HANDLER", String.valueOf(props.getOrDefault("Handler", globals.get("Handler"))));
        aws.put("AWS_LAMBDA_FUNCTION_NAME", functionId);
        aws.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        aws.put("AWS_LAMBDA_LOG_GROUP_NAME", "aws/lambda/" + functionId);
        aws.put("AWS_LAMBDA_LOG_STREAM_NAME", "$LATEST");
        aws.put("AWS_REGION", "us-east-1");
        aws.put("AWS_DEFAULT_REGION", "us-east-1");
        aws.put("AWS_ACCESS_KEY_ID", "defaultkey");
        aws.put("AWS_SECRET_ACCESS_KEY", "defaultsecret");
        aws.put("AWS_ACCOUNT_ID", "123456789012");
        return aws;
    }

    /**
     * readEnvVars reads a {@code --env-vars} file: {@code {"Parameters": {...}, "FunctionId": {...}}},
     * every value a string.
     */
    public static Map<String, Map<String, String>> readEnvVars(java.nio.file.Path file) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        try (var in = java.nio.file.Files.newBufferedReader(file)) {
            Map<String, Object> root = Template.map(new org.yaml.snakeyaml.Yaml().load(in));
            root.forEach((section, vars) -> {
                Map<String, String> values = new LinkedHashMap<>();
                Template.map(vars).forEach((k, v) -> values.put(k, v == null ? "" : String.valueOf(v)));
                out.put(section, values);
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    /**
     * resolveValue resolves one template value the same way: literals, {@code !Ref} to parameters,
     * local resources and pseudo parameters, {@code !Sub} and {@code !Join}.
     */
    public static String resolveValue(Template template, Map<String, String> parameters, Map<String, String> resources,
                                      Object value) {
        return new Resolver(template, parameters, resources, LOCAL_PSEUDO_PARAMETERS).resolve(value);
    }

    private static Map<String, Object> variables(Map<String, Object> props) {
        return Template.map(Template.map(props.get("Environment")).get("Variables"));
    }

    /** Resolves the intrinsic functions that make sense without a deployed stack. */
    private record Resolver(Template template, Map<String, String> parameters, Map<String, String> resources,
                            Map<String, String> pseudo) {
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
            if (pseudo.containsKey(name)) {
                return pseudo.get(name);
            }
            throw new IllegalArgumentException("!Ref " + name + " is neither a parameter nor a local resource");
        }
    }
}
