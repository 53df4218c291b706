package shop.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** MutableClock is a clock a test moves forward (a lease running out) without waiting for it. */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    /** Creates a clock standing at the real time. */
    public MutableClock() {
        this.now = new AtomicReference<>(Instant.now());
    }

    /** advance moves the clock forward. */
    public void advance(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
