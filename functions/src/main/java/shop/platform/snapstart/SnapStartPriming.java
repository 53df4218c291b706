package shop.platform.snapstart;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.db.Database;

/**
 * SnapStartPriming runs a function's priming work in the CRaC {@code beforeCheckpoint} hook, so
 * the snapshot Lambda takes of a published version already has the code paths loaded and JIT-warm,
 * and it draws the line between what the snapshot may carry and what it must not. Every environment
 * restored from one snapshot starts from the same memory (AWS, "Handling uniqueness with Lambda
 * SnapStart"): what must be unique is drawn after the restore, what must be fresh is dropped before
 * the snapshot and made again on first use. By field:
 *
 * <table>
 *   <caption>What the snapshot holds</caption>
 *   <tr><th>state</th><th>side of the line</th><th>how</th></tr>
 *   <tr><td>loaded classes, JIT code, Jackson's ObjectMapper, the router, SDK clients (their
 *       configuration, not their credentials: the default chain reads them per restore)</td>
 *       <td>captured, shared</td><td>built at init, warmed by the priming requests</td></tr>
 *   <tr><td>pooled JDBC connections</td><td>fresh: dropped before</td><td>the pools are emptied
 *       and the hook waits until every connection is closed; they reconnect on first use</td></tr>
 *   <tr><td>database credentials read from Secrets Manager</td><td>fresh: dropped before</td>
 *       <td>the secret cache is emptied (no secret in the snapshot, none stale after a rotation);
 *       read again on the first connection after the restore</td></tr>
 *   <tr><td>Redis connections of the RedLock</td><td>fresh</td><td>the priming takes no lock, so
 *       none exist at the snapshot; opened on first use</td></tr>
 *   <tr><td>the RedLock's 128-bit value prefix</td><td>unique: drawn after</td><td>drawn from
 *       {@code SecureRandom} on first use and again after every restore, so two environments from
 *       one snapshot never produce the same lock value</td></tr>
 *   <tr><td>the random source of jitter and spreading ({@link SnapshotSafeRandom}: retry and
 *       back-off jitter, the AWS SDK clients' retry back-off, RedLock poll intervals and slot
 *       choice)</td><td>unique: reseeded after</td>
 *       <td>reseeded from {@code SecureRandom} after every restore by every priming, so clones do not
 *       replay one sequence (with {@code ThreadLocalRandom}, whose seeder is in the snapshot, they
 *       did: identical back-off exactly when many retry at once)</td></tr>
 * </table>
 *
 * Outside Lambda SnapStart (tests, the local runner) the hooks never fire; tests call them through
 * {@link #runBeforeCheckpointForTest()} and {@link #runAfterRestoreForTest()} as Lambda would.
 */
public final class SnapStartPriming implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(SnapStartPriming.class);
    // CRaC keeps weak references to resources: hold them here for the life of the environment.
    private static final List<Resource> REGISTERED = new ArrayList<>();

    private final String name;
    private final Runnable prime;
    private final List<DataSource> pools;
    private final List<SnapshotSensitive> state;

    private SnapStartPriming(String name, Runnable prime, List<DataSource> pools, List<SnapshotSensitive> state) {
        this.name = name;
        this.prime = prime;
        this.pools = pools;
        // The random source first: any later hook that draws after the restore draws from a fresh seed.
        List<SnapshotSensitive> all = new ArrayList<>(List.of(SnapshotSafeRandom.current()));
        all.addAll(state);
        pools.forEach(ds -> all.add(Database.snapshotSensitive(ds)));
        this.state = List.copyOf(all);
    }

    /** register arranges for {@code prime} to run, then the pools to be emptied, before a snapshot. */
    public static SnapStartPriming register(String name, Runnable prime, DataSource... pools) {
        return register(name, prime, List.of(), pools);
    }

    /**
     * register arranges for {@code prime} to run before a snapshot, then every pool to be emptied and
     * every piece of {@code state} to drop what must be fresh; after a restore, each piece of state
     * renews what must be unique.
     */
    public static synchronized SnapStartPriming register(String name, Runnable prime,
                                                         List<? extends SnapshotSensitive> state, DataSource... pools) {
        SnapStartPriming resource = new SnapStartPriming(name, prime, List.of(pools), List.copyOf(state));
        REGISTERED.add(resource);
        Core.getGlobalContext().register(resource);
        return resource;
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
        // Whatever the priming opened or read is dropped, even after a failed priming.
        for (SnapshotSensitive s : state) {
            s.beforeSnapshot();
        }
        LOG.info("{}: primed for the snapshot in {} ms", name, (System.nanoTime() - t0) / 1_000_000);
        return failure;
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        restore();
    }

    private void restore() {
        for (SnapshotSensitive s : state) {
            s.afterRestore();
        }
    }

    /** runBeforeCheckpointForTest invokes the hook as Lambda would before the snapshot; returns a priming failure. */
    public java.util.Optional<RuntimeException> runBeforeCheckpointForTest() {
        return checkpoint();
    }

    /** runAfterRestoreForTest invokes the hook as Lambda would after restoring an environment from the snapshot. */
    public void runAfterRestoreForTest() {
        restore();
    }

    /** stateForTest returns every piece of state the hooks handle, the random source and the pools' included. */
    public List<SnapshotSensitive> stateForTest() {
        return state;
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
