package shop.platform.config;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Env is a function's environment variables, read once at start through typed getters whose errors
 * name the variable (HikariCP's {@code validate()} is the model). It remembers every name read, so a
 * test can check that the template sets each variable a function reads.
 */
public final class Env {
    private final Map<String, String> values;
    private final Set<String> read = Collections.synchronizedSet(new LinkedHashSet<>());

    private Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** system returns the process environment. */
    public static Env system() {
        return new Env(System.getenv());
    }

    /** of returns an environment with exactly these variables (tests, the local runner). */
    public static Env of(Map<String, String> values) {
        return new Env(values);
    }

    /** require returns a variable that must be set and not blank. */
    public String require(String name) {
        return optional(name).orElseThrow(() -> new ConfigException(name, "is required but not set"));
    }

    /** optional returns a variable, empty when unset or blank. */
    public Optional<String> optional(String name) {
        read.add(name);
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** string returns a variable or a default. */
    public String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    /** integer returns a whole number within [min, max], or the default when unset. */
    public int integer(String name, int defaultValue, int min, int max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "must be a whole number, not '" + raw.get() + "'");
        }
        if (value < min || value > max) {
            throw new ConfigException(name, "must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    /** bool returns true/false, or the default when unset. */
    public boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(name, "must be true or false, not '" + raw.get() + "'");
        };
    }

    /** oneOf returns a variable restricted to a set of words, or the default when unset. */
    public String oneOf(String name, String defaultValue, Set<String> allowed) {
        String value = string(name, defaultValue);
        if (!allowed.contains(value)) {
            throw new ConfigException(name, "must be one of " + allowed + ", not '" + value + "'");
        }
        return value;
    }

    /** namesRead returns every variable name read so far. */
    public Set<String> namesRead() {
        synchronized (read) {
            return Set.copyOf(read);
        }
    }
}
