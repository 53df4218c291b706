package shop.inventory;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.config.Env;
import shop.platform.deadline.Deadline;
import shop.platform.metrics.EmbeddedMetrics;

/**
 * InventoryReconciliationHandler is InventoryReconciliationFunction: on a schedule it checks, for every
 * goods, that onHand and reserved equal what the ledger and the open reservations say, in one
 * consistent read, logs every goods that disagrees (with its numbers, at ERROR), and publishes
 * {@value #MISMATCHED_GOODS} (0 expected; published every run, zeros included, so that an alarm can
 * tell a clean run from a missing one), {@value #CHECKED_GOODS} and {@value #UNFOLDED_RECORDS} in namespace
 * {@value InventoryMetricsPublisher#NAMESPACE}, dimensions {@code Service=inventory} and {@code Stack}.
 */
public final class InventoryReconciliationHandler
        implements RequestHandler<ScheduledEvent, InventoryReconciliationHandler.Report>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryReconciliationHandler.class);
    /** MISMATCHED_GOODS is the metric an alarm watches. */
    static final String MISMATCHED_GOODS = "MismatchedGoods";
    /** CHECKED_GOODS is how many goods one run compared. */
    static final String CHECKED_GOODS = "CheckedGoods";
    /**
     * UNFOLDED_RECORDS is how far the running balance is behind the ledger after a run (ids above the
     * fold): a quarter hour's records when the fold keeps up; growing when it cannot (a session holding
     * a record's lock, a ledger too big for one run's share), which an alarm watches before the check's
     * growing tail reaches the function's timeout.
     */
    static final String UNFOLDED_RECORDS = "UnfoldedRecords";
    /** MAX_LOGGED bounds the mismatches logged one by one; the count is always exact. */
    static final int MAX_LOGGED = 1_000;

    private final InventoryService service;
    private final AutoCloseable resources;
    private final EmbeddedMetrics metrics;
    private final Clock clock;

    /** Report is what one run found. */
    public record Report(long checked, int mismatched, List<Mismatch> mismatches) {
    }

    /** Lambda entry: wires from the process environment. */
    public InventoryReconciliationHandler() {
        this(Env.system());
    }

    /** Local runner and tests: wires from the given environment. */
    public InventoryReconciliationHandler(Env env) {
        this(InventoryWiring.reconciler(env), System.out::println);
    }

    private InventoryReconciliationHandler(InventoryWiring.Wired wired, Consumer<String> metricsSink) {
        this(wired.service(), wired.resources(), metricsSink, Clock.systemUTC());
    }

    /** Tests: a check around a built service, its metric lines going to {@code metricsSink}. */
    InventoryReconciliationHandler(InventoryService service, AutoCloseable resources, Consumer<String> metricsSink,
                                   Clock clock) {
        this.service = service;
        this.resources = resources;
        this.metrics = new EmbeddedMetrics(InventoryMetricsPublisher.NAMESPACE, Map.of("Service", "inventory"),
                metricsSink);
        this.clock = clock;
    }

    /**
     * handleRequest checks every goods within the invocation's time: the fold of settled records into
     * the running balance takes at most a third of it, and the check's statement carries the rest to
     * the server, so a check that cannot finish (a tail grown past what one run can sum) fails the run
     * (recorded in the failed-events queue, the stale alarm) instead of running on unseen after Lambda
     * ended it; what the fold committed stays, and the next run's tail is shorter.
     */
    @Override
    public Report handleRequest(ScheduledEvent event, Context context) {
        return Deadline.untilTimeout(context).run(this::reconcile);
    }

    private Report reconcile() {
        InventoryRepository.Reconciliation result = service.reconcile();
        List<Mismatch> mismatches = result.mismatches();
        mismatches.stream().limit(MAX_LOGGED).forEach(m -> LOG.error(
                "inventory mismatch: goods {} has onHand {} reserved {}, its records say onHand {} reserved {}",
                m.goodsId(), m.onHand(), m.reserved(), m.recordedOnHand(), m.recordedReserved()));
        if (mismatches.size() > MAX_LOGGED) {
            LOG.error("inventory mismatch: {} more goods not logged one by one", mismatches.size() - MAX_LOGGED);
        }
        metrics.publishAll(List.of(new EmbeddedMetrics.Metric(MISMATCHED_GOODS, mismatches.size(), "Count"),
                new EmbeddedMetrics.Metric(CHECKED_GOODS, result.checked(), "Count"),
                new EmbeddedMetrics.Metric(UNFOLDED_RECORDS, result.unfolded(), "Count")), clock.millis());
        LOG.info("reconciled {} goods: {} mismatched; {} ledger ids above the running balance", result.checked(),
                mismatches.size(), result.unfolded());
        return new Report(result.checked(), mismatches.size(), mismatches.stream().limit(MAX_LOGGED).toList());
    }

    /** close releases the pool (tests, the local runner). */
    @Override
    public void close() throws Exception {
        resources.close();
    }
}
