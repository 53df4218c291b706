package shop.testing.crac;

/** Resource is what {@code org.crac} hands over for each registered resource (a proxy of it). */
public interface Resource {

    /** beforeCheckpoint runs the resource's hook before the snapshot. */
    void beforeCheckpoint(Context context) throws Exception;

    /** afterRestore runs the resource's hook after a restore. */
    void afterRestore(Context context) throws Exception;
}
