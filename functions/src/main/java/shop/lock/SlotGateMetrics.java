package shop.lock;

import java.util.concurrent.atomic.LongAdder;

/** SlotGateMetrics counts what a {@link SlotGate} does, lock-free; {@link #snapshot()} copies the counters. */
public final class SlotGateMetrics {

    private final LongAdder open = new LongAdder();
    private final LongAdder fromPool = new LongAdder();
    private final LongAdder acquired = new LongAdder();
    private final LongAdder queued = new LongAdder();
    private final LongAdder handedOver = new LongAdder();
    private final LongAdder gaveUp = new LongAdder();
    private final LongAdder quorumLost = new LongAdder();
    private final LongAdder blocked = new LongAdder();
    private final LongAdder passedOn = new LongAdder();
    private final LongAdder parked = new LongAdder();
    private final LongAdder extended = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder nodeErrors = new LongAdder();

    /**
     * Snapshot is a copy of the counters (each read atomically, not all at once).
     *
     * @param open        resources let through without a slot: they were quiet
     * @param fromPool    slots granted at once with a parked lease
     * @param acquired    slots taken with a new RedLock acquisition (at once, or granted to a waiter)
     * @param queued      waits in a resource's queue
     * @param handedOver  waits that ended with a lease handed on by its holder
     * @param gaveUp      waits that ran out of time (the caller goes on without the slot)
     * @param quorumLost  slots that could not be acquired for want of a majority
     * @param blocked     slots found held by a lease the home node did not know
     * @param passedOn    leases handed to the next waiter on release
     * @param parked      leases parked for the next arrival on release
     * @param extended    leases extended on a majority before being handed on
     * @param dropped     leases released on the nodes (too little validity left to hand on, or the home node failed)
     * @param lost        leases that ran out while held and were no longer ours at release or hand-off (a
     *                    holder paused past its validity)
     * @param nodeErrors  home node calls that failed or timed out
     */
    public record Snapshot(long open, long fromPool, long acquired, long queued, long handedOver, long gaveUp,
                           long quorumLost, long blocked, long passedOn, long parked, long extended, long dropped,
                           long lost, long nodeErrors) {

        /** slotted is how many slots were granted, however they came. */
        public long slotted() {
            return fromPool + acquired + handedOver;
        }
    }

    /** snapshot copies every counter. */
    public Snapshot snapshot() {
        return new Snapshot(open.sum(), fromPool.sum(), acquired.sum(), queued.sum(), handedOver.sum(), gaveUp.sum(),
                quorumLost.sum(), blocked.sum(), passedOn.sum(), parked.sum(), extended.sum(), dropped.sum(),
                lost.sum(), nodeErrors.sum());
    }

    void open() { open.increment(); }

    void fromPool() { fromPool.increment(); }

    void acquired() { acquired.increment(); }

    void queued() { queued.increment(); }

    void handedOver() { handedOver.increment(); }

    void gaveUp() { gaveUp.increment(); }

    void quorumLost() { quorumLost.increment(); }

    void blocked() { blocked.increment(); }

    void released(boolean toWaiter) { (toWaiter ? passedOn : parked).increment(); }

    void extended() { extended.increment(); }

    void dropped() { dropped.increment(); }

    void lost() { lost.increment(); }

    void nodeError() { nodeErrors.increment(); }
}
