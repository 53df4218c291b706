package shop.platform.deadline;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;
import java.util.function.Supplier;
import shop.platform.error.DeadlineExceededException;

/**
 * Deadline is the instant by which the work of one request must be over, so that it still answers
 * (a 503 with {@code Retry-After} at worst) before Lambda ends the invocation. Every wait takes its
 * bound from it: the pool's connection wait, the socket reads of a borrowed connection, the
 * server-side time limit of each read ({@link shop.platform.db.Bounded}), the lock's wait and the
 * retries of a transaction.
 *
 * <p>An API handler binds one per invocation from {@link Context#getRemainingTimeInMillis} minus
 * {@link #RESERVE}, the time kept to answer; without a context (a test, SnapStart priming) the
 * budget is API Gateway's integration timeout, {@link #GATEWAY_LIMIT}, the longest any caller
 * waits. The template keeps every API function's timeout below that limit, so the function's own
 * deadline always comes first ({@code TemplateContractTest}). A function that no gateway waits on
 * (the sweeper, the reconciliation, the upload check) binds {@link #untilTimeout}: its own timeout
 * less {@link #RESERVE}, so that a statement it started does not run on in the database after Lambda
 * ended the invocation. Code outside an invocation (migrations, a benchmark calling a service) sees
 * {@link #NONE} and keeps its own bounds.
 *
 * <p>It is a scoped value: bound for the dynamic extent of {@link #run}, never left behind for the
 * next invocation, never seen by a thread the request did not start.
 */
public final class Deadline {
    /** RESERVE is kept back from the Lambda's remaining time to answer, a 503 included. */
    public static final Duration RESERVE = Duration.ofMillis(500);
    /** GATEWAY_LIMIT is API Gateway's integration timeout (29 s): no caller waits longer. */
    public static final Duration GATEWAY_LIMIT = Duration.ofSeconds(29);
    /** NONE is no deadline: code outside a request. */
    public static final Deadline NONE = new Deadline(0, false);

    private static final ScopedValue<Deadline> CURRENT = ScopedValue.newInstance();

    private final long endNanos;
    private final boolean bounded;

    private Deadline(long endNanos, boolean bounded) {
        this.endNanos = endNanos;
        this.bounded = bounded;
    }

    /** in is a deadline this long from now. */
    public static Deadline in(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos(), true);
    }

    /**
     * forInvocation is the deadline of one invocation: the Lambda's remaining time minus
     * {@link #RESERVE}, and never later than {@link #GATEWAY_LIMIT}; the gateway's limit when there is
     * no context.
     */
    public static Deadline forInvocation(Context context) {
        if (context == null) {
            return in(GATEWAY_LIMIT);
        }
        Duration left = untilTimeout(context).remaining();
        return in(left.compareTo(GATEWAY_LIMIT) > 0 ? GATEWAY_LIMIT : left);
    }

    /**
     * untilTimeout is the deadline of an invocation that no gateway waits on (a schedule, an S3 event):
     * the Lambda's remaining time minus {@link #RESERVE}; {@link #NONE} without a context.
     */
    public static Deadline untilTimeout(Context context) {
        if (context == null) {
            return NONE;
        }
        Duration left = Duration.ofMillis(context.getRemainingTimeInMillis()).minus(RESERVE);
        return in(left.isNegative() ? Duration.ZERO : left);
    }

    /** current is the deadline bound by the running request, or {@link #NONE}. */
    public static Deadline current() {
        return CURRENT.orElse(NONE);
    }

    /** run does work with this deadline bound as {@link #current()}. */
    public <T> T run(Supplier<T> work) {
        return ScopedValue.where(CURRENT, this).call(work::get);
    }

    /** bounded tells whether there is a deadline at all ({@link #NONE} has none). */
    public boolean bounded() {
        return bounded;
    }

    /** remaining is the time left, zero once passed; {@code Long.MAX_VALUE} ms for {@link #NONE}. */
    public Duration remaining() {
        if (!bounded) {
            return Duration.ofMillis(Long.MAX_VALUE);
        }
        long left = endNanos - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** expired tells whether the deadline has passed. */
    public boolean expired() {
        return bounded && endNanos - System.nanoTime() <= 0;
    }

    /** cap is the shorter of a wait and the time left (a wait leaving {@code keep} unused). */
    public Duration cap(Duration wait, Duration keep) {
        if (!bounded) {
            return wait;
        }
        Duration left = remaining().minus(keep);
        return left.isNegative() ? Duration.ZERO : left.compareTo(wait) < 0 ? left : wait;
    }

    /** check throws {@link DeadlineExceededException} naming what was waited for, once the deadline has passed. */
    public void check(String waitingFor) {
        if (expired()) {
            throw new DeadlineExceededException(waitingFor, null);
        }
    }

    @Override
    public String toString() {
        return bounded ? "Deadline[" + remaining().toMillis() + " ms left]" : "Deadline[none]";
    }
}
