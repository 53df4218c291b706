package shop.platform.metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Metrics collects what one invocation counts and measures, and writes it when the invocation ends
 * as one CloudWatch Embedded Metric Format line on stdout ({@link EmbeddedMetrics}): namespace
 * {@value #NAMESPACE}, dimensions {@code Service} (catalog, uploads, upload-complete...) and
 * {@code Stack} (see {@link EmbeddedMetrics}). No API call,
 * no extra latency on the request path, nothing written when nothing was recorded.
 *
 * <p>Record from anywhere on the invocation's thread, then let the handler flush:
 * <pre>{@code
 * Metrics.get().count("UploadsIssued");                 // +1, unit Count
 * Metrics.get().add("ImageBytes", size, "Bytes");       // values of one name add up within an invocation
 * return Metrics.around("upload-complete", () -> ...);  // in a handler: run, then flush
 * }</pre>
 * {@code ApiHandler} flushes after every request with its service's name, so API routes only
 * record. Recordings are per thread (the local runner serves concurrent requests on one handler).
 *
 * <p>Why not Powertools' metrics module: it writes through aws-embedded-metrics, which (unless
 * {@code AWS_EMF_ENVIRONMENT} says otherwise) first probes its environment on background threads,
 * the EC2 and ECS metadata endpoints included, and outside Lambda falls back to a CloudWatch agent
 * socket: the local runner and the tests would reach for the network. It also adds its
 * dependencies and their start-up to every function, for the few lines this class needs.
 */
public final class Metrics {
    /** NAMESPACE is the CloudWatch namespace of every metric of the product. */
    public static final String NAMESPACE = "ShopBackend";
    private static final Metrics STDOUT = new Metrics(line -> System.out.println(line), Clock.systemUTC());

    private final Consumer<String> sink;
    private final Clock clock;
    private final ThreadLocal<Map<String, Pending>> pending = ThreadLocal.withInitial(LinkedHashMap::new);

    private record Pending(double value, String unit) {
    }

    /** Creates metrics that write their lines to a sink. */
    public Metrics(Consumer<String> sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** get returns the metrics of this execution environment, written to stdout (CloudWatch Logs). */
    public static Metrics get() {
        return STDOUT;
    }

    /** around runs an invocation's work and flushes what it recorded under the service's name. */
    public static <T> T around(String service, Supplier<T> work) {
        try {
            return work.get();
        } finally {
            get().flush(service);
        }
    }

    /** count adds one to a counter. */
    public void count(String name) {
        add(name, 1, "Count");
    }

    /**
     * add records a value with its CloudWatch unit ({@code Count}, {@code Milliseconds},
     * {@code Bytes}...). Values of one name add up until the next flush; a name keeps one unit.
     */
    public void add(String name, double value, String unit) {
        pending.get().merge(name, new Pending(value, unit), (a, b) -> {
            if (!a.unit().equals(b.unit())) {
                throw new IllegalArgumentException("metric " + name + " recorded in " + a.unit() + " and " + b.unit());
            }
            return new Pending(a.value() + b.value(), a.unit());
        });
    }

    /**
     * flush writes what this thread recorded since its last flush as one EMF line for the service,
     * and forgets it; returns the line, or null when there was nothing to write.
     */
    public String flush(String service) {
        Map<String, Pending> recorded = pending.get();
        if (recorded.isEmpty()) {
            return null;
        }
        List<EmbeddedMetrics.Metric> metrics = new ArrayList<>();
        recorded.forEach((name, p) -> metrics.add(new EmbeddedMetrics.Metric(name, p.value(), p.unit())));
        recorded.clear();
        return new EmbeddedMetrics(NAMESPACE, Map.of("Service", service), sink).publish(metrics, clock.millis());
    }
}
