package shop.platform.snapstart;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SnapStartPriming runs a function's priming work in the CRaC {@code beforeCheckpoint} hook, so
 * the snapshot Lambda takes of a published version already has the code paths loaded and JIT-warm
 * (class loading, Jackson, the JDBC driver, the SDK's marshallers), and then drops every pooled
 * connection: a connection restored from a snapshot would be dead or, worse, shared by every
 * environment restored from it. The pools reconnect lazily after restore. Outside Lambda SnapStart
 * (tests, the local runner) the hook never fires.
 */
public final class SnapStartPriming implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(SnapStartPriming.class);
    // CRaC keeps weak references to resources: hold them here for the life of the environment.
    private static final List<Resource> REGISTERED = new ArrayList<>();

    private final String name;
    private final Runnable prime;
    private final List<DataSource> pools;

    private SnapStartPriming(String name, Runnable prime, List<DataSource> pools) {
        this.name = name;
        this.prime = prime;
        this.pools = pools;
    }

    /** register arranges for {@code prime} to run, then the pools to be emptied, before a snapshot. */
    public static synchronized void register(String name, Runnable prime, DataSource... pools) {
        SnapStartPriming resource = new SnapStartPriming(name, prime, List.of(pools));
        REGISTERED.add(resource);
        Core.getGlobalContext().register(resource);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        checkpoint();
    }

    private java.util.Optional<RuntimeException> checkpoint() {
        long t0 = System.nanoTime();
        java.util.Optional<RuntimeException> failure = java.util.Optional.empty();
        try {
            prime.run();
        } catch (RuntimeException e) {
            // Priming is an optimisation: a failure must not fail the version's publication.
            LOG.warn("{}: priming failed, snapshot taken unprimed", name, e);
            failure = java.util.Optional.of(e);
        }
        for (DataSource ds : pools) {
            if (ds instanceof HikariDataSource h && h.getHikariPoolMXBean() != null) {
                h.getHikariPoolMXBean().softEvictConnections();
            }
        }
        LOG.info("{}: primed for the snapshot in {} ms", name, (System.nanoTime() - t0) / 1_000_000);
        return failure;
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to do: pools open connections on first use, SDK clients re-resolve credentials.
    }

    /** runBeforeCheckpointForTest invokes the hook as Lambda would before the snapshot; returns a priming failure. */
    public java.util.Optional<RuntimeException> runBeforeCheckpointForTest() {
        return checkpoint();
    }

    /** poolsForTest returns the pools the hook empties. */
    public List<DataSource> poolsForTest() {
        return pools;
    }

    /** registeredForTest returns what has been registered in this JVM. */
    public static synchronized List<SnapStartPriming> registeredForTest() {
        return REGISTERED.stream().map(r -> (SnapStartPriming) r).toList();
    }

    /** name is the function this priming belongs to. */
    public String name() {
        return name;
    }
}
