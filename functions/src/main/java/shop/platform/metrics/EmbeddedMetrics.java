package shop.platform.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import shop.platform.json.Json;

/**
 * EmbeddedMetrics publishes metrics as CloudWatch Embedded Metric Format log lines: one JSON object
 * on stdout that CloudWatch Logs turns into metrics, with no API call and no extra latency on the
 * request path. Values of zero are left out, and a line with no value is not written.
 *
 * <p>Every line also carries the {@code Stack} dimension ({@link #STACK}): CloudWatch namespaces
 * are per account and region, so two stacks deployed side by side (a staging and a production
 * stack, say) would otherwise add up into one metric, and each stack's alarms would see the other's
 * mismatches, or take the other's sweeper runs for their own.
 */
public final class EmbeddedMetrics {
    /**
     * STACK is this function's CloudFormation stack: {@code STACK_NAME}, which the template sets to
     * {@code AWS::StackName} for every function; {@code local} when unset (the local runner, tests).
     */
    public static final String STACK = stackName(System.getenv());
    /** Metric is one value with its CloudWatch unit ({@code Count}, {@code Milliseconds}...). */
    public record Metric(String name, double value, String unit) {
    }

    private final String namespace;
    private final Map<String, String> dimensions;
    private final Consumer<String> sink;

    /**
     * Creates a publisher for one namespace and dimension set, writing lines to {@code sink}; the set
     * gets {@code Stack} = {@link #STACK} unless it names a stack itself.
     */
    public EmbeddedMetrics(String namespace, Map<String, String> dimensions, Consumer<String> sink) {
        Map<String, String> all = new LinkedHashMap<>(dimensions);
        all.putIfAbsent("Stack", STACK);
        this.namespace = namespace;
        this.dimensions = Map.copyOf(all);
        this.sink = sink;
    }

    /** stackName is the {@code Stack} dimension's value in an environment. */
    static String stackName(Map<String, String> environment) {
        String name = environment.get("STACK_NAME");
        return name == null || name.isBlank() ? "local" : name.trim();
    }

    /** publish writes one EMF line with the non-zero metrics; returns it, or null when none. */
    public String publish(List<Metric> metrics, long timestampMillis) {
        return write(metrics.stream().filter(m -> m.value() != 0).toList(), timestampMillis);
    }

    /**
     * publishAll writes one EMF line with every metric, zeros included: for a gauge whose zero is the
     * news (a check that found nothing wrong), so that an alarm can tell "0" from "the check did not run".
     */
    public String publishAll(List<Metric> metrics, long timestampMillis) {
        return write(List.copyOf(metrics), timestampMillis);
    }

    private String write(List<Metric> metrics, long timestampMillis) {
        if (metrics.isEmpty()) {
            return null;
        }
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, String>> definitions = new ArrayList<>();
        for (Metric m : metrics) {
            definitions.add(Map.of("Name", m.name(), "Unit", m.unit()));
        }
        root.put("_aws", Map.of("Timestamp", timestampMillis, "CloudWatchMetrics", List.of(Map.of(
                "Namespace", namespace,
                "Dimensions", List.of(List.copyOf(new java.util.TreeSet<>(dimensions.keySet()))),
                "Metrics", definitions))));
        root.putAll(dimensions);
        for (Metric m : metrics) {
            root.put(m.name(), m.value());
        }
        String line = Json.write(root);
        sink.accept(line);
        return line;
    }
}
