package shop.platform.deadline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import shop.testing.TestContext;

/**
 * An API invocation's deadline is its time less the reserve, never past the gateway's limit; one that
 * no gateway waits on (a schedule, an S3 event) keeps its whole timeout less the reserve.
 */
class DeadlineTest {

    @Test
    void anApiInvocation_endsByTheGatewaysLimit_evenWithMoreTime() {
        Duration left = Deadline.forInvocation(new TestContext("api", Duration.ofSeconds(60))).remaining();
        assertTrue(left.compareTo(Deadline.GATEWAY_LIMIT) <= 0 && left.compareTo(Duration.ofSeconds(28)) > 0, left.toString());
        Duration short15 = Deadline.forInvocation(new TestContext("api", Duration.ofSeconds(15))).remaining();
        assertTrue(short15.compareTo(Duration.ofMillis(14_500)) <= 0 && short15.compareTo(Duration.ofSeconds(14)) > 0,
                short15.toString());
    }

    @Test
    void aScheduledOrS3Invocation_hasItsWholeTimeout_lessTheReserve() {
        Duration left = Deadline.untilTimeout(new TestContext("sweep", Duration.ofSeconds(300))).remaining();
        assertTrue(left.compareTo(Duration.ofMillis(299_500)) <= 0 && left.compareTo(Duration.ofSeconds(299)) > 0,
                left.toString());
        Deadline spent = Deadline.untilTimeout(new TestContext("late", Duration.ofMillis(100)));
        assertTrue(spent.bounded() && spent.expired(), "less time left than the reserve is no time at all");
    }

    @Test
    void withoutAContext_onlyTheApiIsBounded() {
        assertSame(Deadline.NONE, Deadline.untilTimeout(null));
        assertFalse(Deadline.untilTimeout(null).bounded());
        assertTrue(Deadline.forInvocation(null).bounded());
    }
}
