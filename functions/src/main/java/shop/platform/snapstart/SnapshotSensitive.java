package shop.platform.snapstart;

/**
 * SnapshotSensitive is state of an execution environment that a SnapStart snapshot must not carry
 * over as it is: every environment restored from one snapshot starts from the same memory, so what
 * must be fresh (connections, credentials) is dropped before the snapshot, and what must be unique
 * (random prefixes, seeds, ids) is drawn again after each restore. {@link SnapStartPriming} calls
 * these hooks around Lambda's CRaC checkpoint; outside SnapStart they never run, and everything they
 * drop is made again lazily on first use.
 */
public interface SnapshotSensitive {

    /** beforeSnapshot drops what must not be frozen into the snapshot; it runs after the priming. */
    default void beforeSnapshot() {
    }

    /** afterRestore renews what must differ between environments restored from one snapshot. */
    default void afterRestore() {
    }
}
