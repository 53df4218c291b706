package shop.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * LiveAliases checks that each function's {@code live} alias serves the code and configuration of
 * the function's {@code $LATEST}: what the last deploy (or a hand edit) set. Traffic goes through
 * the alias, so a difference means a change that never reached live traffic: a deploy that
 * published no version (a plain {@code sam deploy} that only changed a parameter, a stale
 * DeployDigest), or a change made in the console (a log level, a variable), which changes only
 * {@code $LATEST}.
 *
 * <p>{@link #compare} is a pure function over the SDK's model objects; {@link #read} makes the calls.
 */
public final class LiveAliases {
    // A variable whose value may be a credential is named, never printed (the ARN of a secret is fine).
    private static final Pattern CREDENTIAL = Pattern.compile("(?i).*(PASSWORD|TOKEN|SECRET|PRIVATE|CREDENTIAL).*");

    private LiveAliases() {
    }

    /**
     * Observed is one function as Lambda describes it.
     *
     * @param logicalId the function's logical id in the template
     * @param name      its physical name, or null when the stack has none
     * @param latest    {@code $LATEST}'s configuration, or null when the function does not exist
     * @param alias     the alias, or null when it does not exist
     * @param live      the configuration of the version the alias names, or null
     */
    public record Observed(String logicalId, String name, FunctionConfiguration latest, AliasConfiguration alias,
                           FunctionConfiguration live) {
    }

    /** The fields of a configuration that decide what a version runs, each rendered for comparison. */
    private static final Map<String, Function<FunctionConfiguration, Object>> FIELDS = fields();

    private static Map<String, Function<FunctionConfiguration, Object>> fields() {
        Map<String, Function<FunctionConfiguration, Object>> f = new LinkedHashMap<>();
        f.put("CodeSha256", FunctionConfiguration::codeSha256);
        f.put("Layers", c -> c.layers().stream().map(Layer::arn).toList());
        f.put("Runtime", FunctionConfiguration::runtimeAsString);
        f.put("Handler", FunctionConfiguration::handler);
        f.put("Architectures", FunctionConfiguration::architecturesAsStrings);
        f.put("MemorySize", FunctionConfiguration::memorySize);
        f.put("Timeout", FunctionConfiguration::timeout);
        f.put("EphemeralStorage", c -> c.ephemeralStorage() == null ? null : c.ephemeralStorage().size());
        f.put("Role", FunctionConfiguration::role);
        f.put("VpcConfig", c -> c.vpcConfig() == null ? null
                : List.of(new TreeSet<>(c.vpcConfig().subnetIds()), new TreeSet<>(c.vpcConfig().securityGroupIds())));
        f.put("TracingConfig", c -> c.tracingConfig() == null ? null : c.tracingConfig().modeAsString());
        f.put("LoggingConfig", c -> c.loggingConfig() == null ? null : List.of(
                String.valueOf(c.loggingConfig().logFormatAsString()),
                String.valueOf(c.loggingConfig().applicationLogLevelAsString()),
                String.valueOf(c.loggingConfig().systemLogLevelAsString()),
                String.valueOf(c.loggingConfig().logGroup())));
        // A version's snapshot is "On", $LATEST's always "Off": only whether it applies is configuration.
        f.put("SnapStart", c -> c.snapStart() == null ? null : c.snapStart().applyOnAsString());
        f.put("KMSKeyArn", FunctionConfiguration::kmsKeyArn);
        f.put("FileSystemConfigs", c -> c.fileSystemConfigs().stream().map(Object::toString).toList());
        f.put("DeadLetterConfig", c -> c.deadLetterConfig() == null ? null : c.deadLetterConfig().targetArn());
        // SAM appends the DeployDigest to the description: a different one names another deploy.
        f.put("Description", FunctionConfiguration::description);
        return f;
    }

    /** compare lists each way the alias's version differs from $LATEST, one difference per field and variable. */
    public static List<Difference> compare(String aliasName, Observed o) {
        List<Difference> out = new ArrayList<>();
        if (o.latest() == null) {
            out.add(new Difference(o.logicalId(), "function missing", "deployed by the stack",
                    o.name() == null ? "not in the stack" : o.name() + " not found"));
            return out;
        }
        if (o.alias() == null || o.live() == null) {
            out.add(new Difference(o.logicalId(), "no " + aliasName + " alias: traffic has no published version to reach",
                    "alias " + aliasName, o.alias() == null ? "absent" : "version " + o.alias().functionVersion() + " absent"));
            return out;
        }
        String subject = o.logicalId() + " alias " + aliasName + " (version " + o.alias().functionVersion() + ")";
        if (o.alias().routingConfig() != null && !o.alias().routingConfig().additionalVersionWeights().isEmpty()) {
            out.add(new Difference(subject, "part of live traffic goes to another version", "all to one version",
                    o.alias().routingConfig().additionalVersionWeights().toString()));
        }
        FIELDS.forEach((field, get) -> {
            Object want = get.apply(o.latest());
            Object got = get.apply(o.live());
            if (!Objects.equals(want, got)) {
                out.add(new Difference(subject, field + " is not $LATEST's: the change never reached live traffic",
                        String.valueOf(want), String.valueOf(got)));
            }
        });
        Map<String, String> want = variables(o.latest());
        Map<String, String> got = variables(o.live());
        for (String name : new TreeSet<>(union(want.keySet(), got.keySet()))) {
            if (!Objects.equals(want.get(name), got.get(name))) {
                out.add(new Difference(subject, "Environment " + name + " is not $LATEST's: the change never reached live traffic",
                        show(name, want.get(name)), show(name, got.get(name))));
            }
        }
        return out;
    }

    private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Map<String, String> variables(FunctionConfiguration c) {
        return c.environment() == null || c.environment().variables() == null ? Map.of() : c.environment().variables();
    }

    private static String show(String name, String value) {
        if (value == null) {
            return "unset";
        }
        boolean hidden = CREDENTIAL.matcher(name).matches() && !name.endsWith("_ARN");
        return hidden ? "(hidden, " + value.length() + " characters)" : "\"" + value + "\"";
    }

    /**
     * read describes each function through Lambda: {@code functions} maps logical ids to physical
     * names (null when the stack has none).
     */
    public static List<Observed> read(LambdaClient lambda, Map<String, String> functions, String aliasName) {
        List<Observed> out = new ArrayList<>();
        functions.forEach((logicalId, name) -> {
            if (name == null) {
                out.add(new Observed(logicalId, null, null, null, null));
                return;
            }
            FunctionConfiguration latest;
            try {
                latest = lambda.getFunction(b -> b.functionName(name)).configuration();
            } catch (ResourceNotFoundException e) {
                out.add(new Observed(logicalId, name, null, null, null));
                return;
            }
            AliasConfiguration alias;
            try {
                var a = lambda.getAlias(b -> b.functionName(name).name(aliasName));
                alias = AliasConfiguration.builder().name(a.name()).functionVersion(a.functionVersion())
                        .routingConfig(a.routingConfig()).aliasArn(a.aliasArn()).build();
            } catch (ResourceNotFoundException e) {
                out.add(new Observed(logicalId, name, latest, null, null));
                return;
            }
            FunctionConfiguration live;
            try {
                live = lambda.getFunction(b -> b.functionName(name).qualifier(alias.functionVersion())).configuration();
            } catch (ResourceNotFoundException e) {
                live = null;
            }
            out.add(new Observed(logicalId, name, latest, alias, live));
        });
        return out;
    }
}
