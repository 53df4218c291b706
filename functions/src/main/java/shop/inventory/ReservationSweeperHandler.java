package shop.inventory;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.config.Env;
import shop.platform.deadline.Deadline;
import shop.platform.metrics.EmbeddedMetrics;
import shop.platform.metrics.EmbeddedMetrics.Metric;

/**
 * ReservationSweeperHandler is ReservationSweeperFunction: every minute it returns the stock of
 * reservations that expired unconfirmed, in batches of {@value #BATCH_SIZE}, while time is left.
 * Two sweepers at once, or a sweeper racing a confirm or cancel, never return a reservation twice:
 * each batch claims its rows with {@code FOR UPDATE SKIP LOCKED} and moves them out of RESERVED.
 * After each run it publishes (CloudWatch EMF) how many it returned and {@code SweeperLag}: the age
 * of the oldest expired reservation still RESERVED, which the template's SweeperLagAlarm watches.
 */
public final class ReservationSweeperHandler implements RequestHandler<ScheduledEvent, ReservationSweeperHandler.SweepReport>,
        AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReservationSweeperHandler.class);
    static final int BATCH_SIZE = 100;
    static final int MAX_BATCHES = 200;

    private final InventoryService service;
    private final AutoCloseable resources;
    private final EmbeddedMetrics metrics;

    /** SweepReport is what one run did. */
    public record SweepReport(int returned) {
    }

    /** Lambda entry: wires from the process environment. */
    public ReservationSweeperHandler() {
        this(Env.system());
    }

    /** Local runner and tests: wires from the given environment. */
    public ReservationSweeperHandler(Env env) {
        this(InventoryWiring.sweeper(env));
    }

    private ReservationSweeperHandler(InventoryWiring.Wired wired) {
        this(wired.service(), wired.resources());
    }

    /** Tests: a sweeper around a built service. */
    ReservationSweeperHandler(InventoryService service, AutoCloseable resources) {
        this(service, resources, System.out::println);
    }

    /** Tests: a sweeper whose metric lines go to {@code metricsSink} instead of stdout. */
    ReservationSweeperHandler(InventoryService service, AutoCloseable resources, Consumer<String> metricsSink) {
        this.service = service;
        this.resources = resources;
        this.metrics = new EmbeddedMetrics(InventoryMetricsPublisher.NAMESPACE, Map.of("Service", "inventory"), metricsSink);
    }

    @Override
    public SweepReport handleRequest(ScheduledEvent event, Context context) {
        return software.amazon.lambda.powertools.logging.PowertoolsLogging.withLogging(context,
                () -> shop.platform.metrics.Metrics.around("reservation-sweeper",
                        () -> Deadline.untilTimeout(context).run(() -> sweep(event, context))));
    }

    private SweepReport sweep(ScheduledEvent event, Context context) {
        int returned = service.sweep(BATCH_SIZE, MAX_BATCHES, () -> context == null ? Duration.ofMinutes(1)
                : Duration.ofMillis(context.getRemainingTimeInMillis()));
        Duration lag = service.sweepLag();
        LOG.info("sweep {}: returned {} expired reservations; oldest expired still reserved: {} s", event == null ? ""
                : event.getId(), returned, lag.toSeconds());
        metrics.publish(List.of(new Metric("ExpiredReservationsReturned", returned, "Count"),
                new Metric("SweeperLag", lag.toMillis() / 1000.0, "Seconds")), System.currentTimeMillis());
        return new SweepReport(returned);
    }

    /** service is the service it sweeps with, for tests. */
    InventoryService service() {
        return service;
    }

    /** close releases the pool (tests, the local runner). */
    @Override
    public void close() throws Exception {
        resources.close();
    }
}
