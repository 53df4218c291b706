package shop.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import shop.stack.Template;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/**
 * SamDeploy is {@code ./dev deploy [sam deploy args...]}: it runs {@code sam deploy} with the
 * project's template.yaml and a fresh {@link DeployDigest}, so that every deploy that changes
 * anything a function runs with publishes new versions and moves the {@code live} aliases, and a
 * deploy that changes nothing publishes nothing.
 *
 * <p>What it adds to a plain {@code sam deploy}:
 * <ul>
 *   <li>It passes {@code samconfig.toml}'s parameter overrides merged with those on the command
 *       line (the command line wins per key). SAM CLI itself drops the whole samconfig list when
 *       {@code --parameter-overrides} is given, which would hand every other parameter to
 *       CloudFormation's "previous value".</li>
 *   <li>It computes the digest over the parameter values CloudFormation will use: the merged
 *       overrides, else the deployed stack's current value (what SAM CLI's "use previous value"
 *       keeps, including a value changed in the console), else the template's default.</li>
 *   <li>It refuses {@code --guided} (the prompt would save this deploy's digest into
 *       samconfig.toml), a {@code DeployDigest} of the caller's, another template, and a
 *       samconfig.toml that would make a later plain {@code sam deploy} keep a stale digest:
 *       one that holds a non-empty {@code DeployDigest} or none at all (CloudFormation would keep
 *       the previous one). Its value must be {@code ""}: SAM then falls back to its own hash, which
 *       sees code and layer changes, never freezes them.</li>
 * </ul>
 */
public final class SamDeploy {
    private static final String DRY_RUN = "--dry-run";

    private SamDeploy() {
    }

    /**
     * Invocation is the command line of {@code ./dev deploy}, split into what it reads and what
     * goes on to {@code sam deploy} unchanged.
     *
     * @param passThrough  the arguments sam deploy gets as given (all but --parameter-overrides and --dry-run)
     * @param overrides    the --parameter-overrides given, parsed
     * @param configFile   --config-file, else samconfig.toml
     * @param configEnv    --config-env, else default
     * @param stackName    --stack-name
     * @param region       --region
     * @param profile      --profile
     * @param dryRun       print the plan and the command, run nothing
     */
    public record Invocation(List<String> passThrough, Map<String, String> overrides, String configFile, String configEnv,
                             Optional<String> stackName, Optional<String> region, Optional<String> profile, boolean dryRun) {

        /** parse reads sam deploy's arguments; refuses those ./dev deploy must decide itself. */
        public static Invocation parse(List<String> args) {
            List<String> pass = new ArrayList<>();
            Map<String, String> overrides = new LinkedHashMap<>();
            Map<String, String> seen = new LinkedHashMap<>();
            boolean dryRun = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                String name = arg.contains("=") && arg.startsWith("--") ? arg.substring(0, arg.indexOf('=')) : arg;
                switch (name) {
                    case "--guided", "-g" -> throw new IllegalArgumentException("""
                            --guided would save this deploy's DeployDigest in samconfig.toml, where a later plain \
                            `sam deploy` would reuse it and keep new code out of the live aliases. Run `sam deploy \
                            --guided` yourself (answer DeployDigest with an empty value), then ./dev deploy.""");
                    case "--template-file", "--template", "-t" -> throw new IllegalArgumentException(
                            "./dev deploy deploys the project's template.yaml, and digests it; drop " + name);
                    case DRY_RUN -> dryRun = true;
                    case "--parameter-overrides" -> {
                        if (!arg.equals(name)) {
                            overrides.putAll(SamConfig.parseOverrides(arg.substring(name.length() + 1)));
                        }
                        while (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
                            overrides.putAll(SamConfig.parseOverrides(args.get(++i)));
                        }
                    }
                    case "--config-file", "--config-env", "--stack-name", "--region", "--profile" -> {
                        String value;
                        if (!arg.equals(name)) {
                            value = arg.substring(name.length() + 1);
                            pass.add(arg);
                        } else {
                            if (i + 1 >= args.size()) {
                                throw new IllegalArgumentException(name + " needs a value");
                            }
                            value = args.get(++i);
                            pass.add(arg);
                            pass.add(value);
                        }
                        seen.put(name, value);
                    }
                    default -> pass.add(arg);
                }
            }
            if (overrides.containsKey(DeployDigest.PARAMETER)) {
                throw new IllegalArgumentException(DeployDigest.PARAMETER + " is computed by ./dev deploy; do not pass it");
            }
            return new Invocation(List.copyOf(pass), overrides, seen.getOrDefault("--config-file", "samconfig.toml"),
                    seen.getOrDefault("--config-env", "default"), Optional.ofNullable(seen.get("--stack-name")),
                    Optional.ofNullable(seen.get("--region")), Optional.ofNullable(seen.get("--profile")), dryRun);
        }
    }

    /**
     * Plan is what one {@code ./dev deploy} will do.
     *
     * @param stackName      the stack
     * @param overrides      the parameter overrides passed to sam deploy, samconfig's merged with the command line's
     * @param digest         the digest and what went into it
     * @param deployedDigest the stack's DeployDigest now, or empty for a new stack
     * @param warnings       what the operator should know
     * @param command        the sam deploy command line
     */
    public record Plan(String stackName, Map<String, String> overrides, DeployDigest digest, Optional<String> deployedDigest,
                       List<String> warnings, List<String> command) {

        /** publishes tells whether the deploy will publish new versions (the digest differs from the deployed one). */
        public boolean publishes() {
            return deployedDigest.map(d -> !d.equals(digest.value())).orElse(true);
        }
    }

    /**
     * plan decides the deploy: {@code deployed} answers the stack's current parameter values by
     * stack name (empty when the stack does not exist yet).
     */
    public static Plan plan(Path root, Invocation inv, String sam, Function<String, Optional<Map<String, String>>> deployed) {
        Path configPath = root.resolve(inv.configFile());
        SamConfig config = SamConfig.read(configPath, inv.configEnv());
        List<String> warnings = new ArrayList<>();
        String saved = config.parameterOverrides().get(DeployDigest.PARAMETER);
        String section = inv.configFile() + " [" + inv.configEnv() + ".deploy.parameters]";
        if (config.file().isPresent() && saved == null) {
            throw new IllegalArgumentException(section + " has no DeployDigest in parameter_overrides: a plain `sam deploy`"
                    + " would keep this deploy's digest (CloudFormation reuses a parameter's previous value) and so keep"
                    + " new code out of the live aliases. Add DeployDigest=\"\" to its parameter_overrides.");
        }
        if (saved != null && !saved.isEmpty()) {
            throw new IllegalArgumentException(section + " saves DeployDigest=" + saved + ": a plain `sam deploy` would"
                    + " publish under that stale digest and keep new code out of the live aliases. Set it to"
                    + " DeployDigest=\"\" (SAM then hashes the code itself).");
        }
        if (config.file().isEmpty()) {
            warnings.add("no " + inv.configFile() + ": a plain `sam deploy` of this stack must pass"
                    + " --parameter-overrides DeployDigest=\"\" with the other values, or it keeps this deploy's digest");
        }
        String stack = inv.stackName().or(config::stackName).orElseThrow(() -> new IllegalArgumentException(
                "no stack name: pass --stack-name or set stack_name in " + section));

        Map<String, String> overrides = new LinkedHashMap<>(config.parameterOverrides());
        overrides.putAll(inv.overrides());
        overrides.remove(DeployDigest.PARAMETER);
        Path templateFile = root.resolve("template.yaml");
        Optional<Map<String, String>> current = deployed.apply(stack);
        Map<String, String> effective = effectiveParameters(Template.load(templateFile), overrides, current);
        DeployDigest digest = DeployDigest.compute(templateFile, effective);
        Optional<String> deployedDigest = current.map(p -> p.getOrDefault(DeployDigest.PARAMETER, ""));

        List<String> command = new ArrayList<>(List.of(sam, "deploy"));
        command.addAll(inv.passThrough());
        command.addAll(List.of("--template-file", templateFile.toString(), "--parameter-overrides"));
        overrides.forEach((k, v) -> command.add(k + "=" + SamConfig.quote(v)));
        command.add(DeployDigest.PARAMETER + "=" + digest.value());
        return new Plan(stack, overrides, digest, deployedDigest, List.copyOf(warnings), List.copyOf(command));
    }

    /**
     * effectiveParameters is the value CloudFormation will use for each template parameter (but
     * DeployDigest): the override, else the deployed stack's value (SAM CLI passes
     * UsePreviousValue for a parameter it is not given, when the stack has it), else the
     * template's default, else empty.
     */
    public static Map<String, String> effectiveParameters(Template template, Map<String, String> overrides,
                                                          Optional<Map<String, String>> deployed) {
        Map<String, String> out = new TreeMap<>();
        Template.map(template.root().get("Parameters")).forEach((name, spec) -> {
            if (name.equals(DeployDigest.PARAMETER)) {
                return;
            }
            Object dflt = Template.map(spec).get("Default");
            String value = overrides.containsKey(name) ? overrides.get(name)
                    : deployed.filter(d -> d.containsKey(name)).map(d -> d.get(name))
                    .orElse(dflt == null ? "" : dflt instanceof List<?> l
                            ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(dflt));
            out.put(name, value);
        });
        return out;
    }

    /** deployedParameters reads a stack's parameter values; empty when the stack does not exist. */
    public static Optional<Map<String, String>> deployedParameters(CloudFormationClient cfn, String stackName) {
        Stack stack;
        try {
            stack = cfn.describeStacks(b -> b.stackName(stackName)).stacks().getFirst();
        } catch (CloudFormationException e) {
            if (e.statusCode() == 400 && String.valueOf(e.awsErrorDetails().errorMessage()).contains("does not exist")) {
                return Optional.empty();
            }
            throw e;
        }
        if ("REVIEW_IN_PROGRESS".equals(stack.stackStatusAsString())) {
            return Optional.empty(); // created by a change set that never ran: no values yet
        }
        Map<String, String> out = new LinkedHashMap<>();
        stack.parameters().forEach(p -> out.put(p.parameterKey(), p.parameterValue()));
        return Optional.of(out);
    }

    /**
     * run plans the deploy, prints the plan on {@code out} and, unless it is a dry run, runs sam
     * deploy in the project root with this process's terminal; returns its exit code.
     */
    public static int run(Path root, Invocation inv, String sam, Function<String, Optional<Map<String, String>>> deployed,
                          PrintStream out) {
        Plan plan = plan(root, inv, sam, deployed);
        plan.warnings().forEach(w -> System.err.println("dev deploy: warning: " + w));
        out.println("stack " + plan.stackName() + ": deploy digest " + plan.digest().value() + " ("
                + String.join(", ", plan.digest().describe()) + ")");
        if (plan.deployedDigest().isEmpty()) {
            out.println("new stack: every function publishes its first version behind its live alias");
        } else if (plan.publishes()) {
            out.println("deployed digest " + (plan.deployedDigest().get().isEmpty() ? "(empty, SAM's own hash)"
                    : plan.deployedDigest().get()) + ": every function publishes a new version (a SnapStart snapshot each)"
                    + " and moves its live alias");
        } else {
            out.println("the digest is the deployed one: nothing a function runs with changed, no version is published");
        }
        out.println("$ " + String.join(" ", plan.command()));
        if (inv.dryRun()) {
            return 0;
        }
        try {
            Process p = new ProcessBuilder(plan.command()).directory(root.toFile()).inheritIO().start();
            return p.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + sam + " (the AWS SAM CLI): " + e.getMessage()
                    + ". Install it, or set SAM_CLI to its path.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** samExecutable is SAM_CLI, else {@code sam} on PATH, else plain {@code sam} (the error then says so). */
    static String samExecutable() {
        String configured = System.getenv("SAM_CLI");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "sam"))) {
                return Path.of(dir, "sam").toString();
            }
        }
        return "sam";
    }
}
