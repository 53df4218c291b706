package shop.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SamConfig is what SAM CLI's {@code samconfig.toml} says to {@code sam deploy} in one config
 * environment: the {@code [ENV.deploy.parameters]} table over {@code [ENV.global.parameters]}, as
 * SAM CLI reads them. Only what {@code ./dev deploy} needs is kept.
 *
 * @param file               the file read, or empty when there is none
 * @param stackName          {@code stack_name}
 * @param region             {@code region}
 * @param profile            {@code profile}
 * @param parameterOverrides {@code parameter_overrides}, parsed the way SAM CLI parses them, in order
 */
public record SamConfig(Optional<Path> file, Optional<String> stackName, Optional<String> region, Optional<String> profile,
                        Map<String, String> parameterOverrides) {

    // SAM CLI's grammar (samcli/cli/types.py, CfnParameterOverridesType): KEY=VALUE separated by
    // spaces, or ParameterKey=KEY,ParameterValue=VALUE; a value is double- or single-quoted (with
    // backslash escapes) or a run of characters without space, quote or backslash (escapes allowed).
    private static final String KEY = "([A-Za-z0-9\"]+)";
    private static final String VALUE = "(\"(?:\\\\.|[^\"\\\\]+)*\"|'(?:\\\\.|[^'\\\\]+)*'|(?:\\\\.|[^ \"\\\\]+)+)";
    private static final Pattern LONG_FORM = Pattern.compile("(?:ParameterKey=" + KEY + ",ParameterValue=" + VALUE + ")");
    private static final Pattern SHORT_FORM = Pattern.compile("(?: )" + KEY + "=" + VALUE);

    /** none is the configuration of a project without samconfig.toml. */
    static SamConfig none() {
        return new SamConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** read reads one environment of a samconfig.toml; a file that does not exist reads as {@link #none()}. */
    public static SamConfig read(Path file, String env) {
        if (!Files.isRegularFile(file)) {
            return none();
        }
        JsonNode root;
        try {
            root = new TomlMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonNode global = root.path(env).path("global").path("parameters");
        JsonNode deploy = root.path(env).path("deploy").path("parameters");
        Map<String, String> overrides = new LinkedHashMap<>();
        for (JsonNode table : List.of(global, deploy)) {
            JsonNode value = table.path("parameter_overrides");
            if (value.isArray()) {
                List<String> parts = new ArrayList<>();
                value.forEach(v -> parts.add(v.asText()));
                parts.forEach(p -> overrides.putAll(parseOverrides(p)));
            } else if (value.isTextual()) {
                overrides.putAll(parseOverrides(value.asText()));
            }
        }
        return new SamConfig(Optional.of(file), text(deploy, global, "stack_name"), text(deploy, global, "region"),
                text(deploy, global, "profile"), overrides);
    }

    private static Optional<String> text(JsonNode deploy, JsonNode global, String key) {
        JsonNode v = deploy.has(key) ? deploy.get(key) : global.get(key);
        return v == null || v.isNull() || v.asText().isBlank() ? Optional.empty() : Optional.of(v.asText());
    }

    /** parseOverrides parses one {@code --parameter-overrides} value as SAM CLI does; fails on text it would refuse. */
    public static Map<String, String> parseOverrides(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text.isBlank()) {
            return out;
        }
        String normalized = " " + text.strip();
        Pattern pattern = LONG_FORM.matcher(normalized).find() ? LONG_FORM : SHORT_FORM;
        Matcher m = pattern.matcher(normalized);
        boolean any = false;
        while (m.find()) {
            any = true;
            out.put(unquote(m.group(1)), unquote(m.group(2)));
        }
        if (!any) {
            throw new IllegalArgumentException("parameter overrides '" + text + "' are not KEY=VALUE pairs");
        }
        return out;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.charAt(0) == '"' && value.endsWith("\"")
                || value.charAt(0) == '\'' && value.endsWith("'"))) {
            value = value.substring(1, value.length() - 1);
        }
        return value.replace("\\ ", " ").replace("\\\"", "\"").replace("\\'", "'");
    }

    /** quote writes a value so that {@link #parseOverrides} (and SAM CLI) read it back unchanged. */
    public static String quote(String value) {
        if (!value.isEmpty() && value.matches("[^ \"'\\\\]+")) {
            return value;
        }
        if (value.contains("\\")) {
            throw new IllegalArgumentException("a parameter value with a backslash cannot be passed to sam deploy: " + value);
        }
        return "\"" + value.replace("\"", "\\\"") + "\"";
    }
}
