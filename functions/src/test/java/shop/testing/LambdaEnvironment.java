package shop.testing;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import shop.testing.crac.Context;
import shop.testing.crac.Resource;

/**
 * LambdaEnvironment is one Lambda execution environment under SnapStart, as a test sees it: open it,
 * build a function in it (its constructor is Lambda's init), then {@link #checkpoint()} runs what
 * Lambda runs before it takes the snapshot and {@link #restore()} what it runs in an environment
 * restored from it. The hooks are the ones the shipped code registers with {@code org.crac}'s global
 * context, reached through {@code -Dorg.crac.Core.Compat=shop.testing.crac}; nothing in the shipped
 * code exists for this.
 *
 * <p>The hooks run as Lambda's runtime runs them (aws-lambda-java-libs, {@code ContextImpl}):
 * {@code beforeCheckpoint} newest registration first, {@code afterRestore} oldest first, every
 * resource even after one failed, the failures then thrown together; and resources are held weakly,
 * so a resource nothing else holds is lost. {@link #checkpoint()} collects garbage first, so such a
 * resource is lost every time rather than whenever a collection happens to run before the snapshot.
 *
 * <p>All tests share one JVM, so which resources an environment holds is decided by who registered
 * them: a registration from a class initializer is static state, part of every environment's
 * snapshot whichever test loaded the class, so it belongs to every environment; any other belongs
 * to the environment open at the time, and one made while none is open (the functions other tests
 * build) is never run.
 */
public final class LambdaEnvironment implements AutoCloseable {
    private static final AtomicLong ORDER = new AtomicLong();
    private static final AtomicLong NAMES = new AtomicLong();
    private static final List<Registration> STATIC = new ArrayList<>();
    private static LambdaEnvironment open;

    private final List<Registration> resources = new ArrayList<>();

    /**
     * Registration is a resource as org.crac registered it: a proxy that reaches the shipped object
     * through a weak reference, held weakly here too (never hashed: a proxy whose object is gone fails
     * on hashCode). A hook of an object that is gone does nothing.
     */
    private record Registration(long order, WeakReference<Resource> proxy) {
    }

    private LambdaEnvironment() {
    }

    /** start opens an environment; the functions built until {@link #close()} are its functions. */
    public static synchronized LambdaEnvironment start() {
        if (!"shop.testing.crac".equals(System.getProperty("org.crac.Core.Compat"))) {
            throw new IllegalStateException("run the tests with -Dorg.crac.Core.Compat=shop.testing.crac "
                    + "(functions/pom.xml sets it for surefire): without it org.crac drops every registration");
        }
        if (open != null) {
            throw new IllegalStateException("an environment is already open: close it first");
        }
        open = new LambdaEnvironment();
        open.resources.addAll(STATIC);
        return open;
    }

    /** register is where {@link Context} hands every resource registered with org.crac. */
    public static synchronized void register(Resource resource) {
        Registration r = new Registration(ORDER.incrementAndGet(), new WeakReference<>(resource));
        if (registeredByClassInitializer()) {
            STATIC.add(r);
        }
        if (open != null) {
            open.resources.add(r);
        }
    }

    private static final Set<String> PLUMBING = Set.of("org.crac.", "shop.testing.crac.", "java.lang.reflect.",
            "jdk.internal.reflect.", "java.lang.invoke.", "jdk.proxy", LambdaEnvironment.class.getName());

    /** registeredByClassInitializer tells whether the code that called org.crac's register is a static initializer. */
    private static boolean registeredByClassInitializer() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> PLUMBING.stream().noneMatch(p -> f.getClassName().startsWith(p)))
                .findFirst()
                .map(f -> f.getMethodName().equals("<clinit>"))
                .orElse(false));
    }

    /**
     * Log is what the product's loggers wrote while the hooks ran, one line each, from INFO up: the
     * function's log of its init phase, where a failed priming says so.
     */
    public record Log(List<String> lines) {
        /** problems are the lines at WARN and above. */
        public List<String> problems() {
            return lines.stream().filter(l -> !l.startsWith("INFO ")).toList();
        }
    }

    /**
     * checkpoint runs every {@code beforeCheckpoint} hook of the environment, as Lambda does before it
     * takes the snapshot, and returns what the functions logged meanwhile. A hook that throws fails it.
     */
    public Log checkpoint() throws Exception {
        System.gc();
        List<Resource> newestFirst = inOrder();
        Collections.reverse(newestFirst);
        return run(newestFirst, true);
    }

    /** restore runs every {@code afterRestore} hook, as Lambda does in an environment restored from the snapshot. */
    public Log restore() throws Exception {
        return run(inOrder(), false);
    }

    private List<Resource> inOrder() {
        synchronized (LambdaEnvironment.class) {
            return resources.stream().sorted(Comparator.comparingLong(Registration::order))
                    .map(r -> r.proxy().get()).filter(Objects::nonNull).collect(Collectors.toCollection(ArrayList::new));
        }
    }

    private static Log run(List<Resource> hooks, boolean beforeCheckpoint) throws Exception {
        Capture warnings = new Capture();
        List<Exception> failures = new ArrayList<>();
        warnings.attach();
        try {
            for (Resource r : hooks) {
                try {
                    if (beforeCheckpoint) {
                        r.beforeCheckpoint(null);
                    } else {
                        r.afterRestore(null);
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        } finally {
            warnings.detach();
        }
        if (!failures.isEmpty()) {
            Exception all = new Exception((beforeCheckpoint ? "the checkpoint" : "the restore") + " failed: "
                    + failures.size() + " hook(s) threw");
            failures.forEach(all::addSuppressed);
            throw all;
        }
        return new Log(warnings.lines());
    }

    /** close ends the environment: later registrations belong to none. */
    @Override
    public void close() {
        synchronized (LambdaEnvironment.class) {
            if (open == this) {
                open = null;
            }
        }
    }

    /** Capture collects the lines of the product's loggers, INFO and up, while hooks run. */
    private static final class Capture extends AbstractAppender {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private LoggerConfig logger;

        Capture() {
            super("lambda-environment-" + NAMES.incrementAndGet(), null, null, true, Property.EMPTY_ARRAY);
        }

        void attach() {
            start();
            logger = ((LoggerContext) LogManager.getContext(false)).getConfiguration().getLoggerConfig("shop");
            logger.addAppender(this, Level.INFO, null);
        }

        void detach() {
            logger.removeAppender(getName());
            stop();
        }

        @Override
        public void append(LogEvent event) {
            if (event.getLoggerName().startsWith("shop.")) {
                lines.add(event.getLevel() + " " + event.getLoggerName() + ": " + event.getMessage().getFormattedMessage()
                        + (event.getThrown() == null ? "" : " (" + event.getThrown() + ")"));
            }
        }

        List<String> lines() {
            return List.copyOf(lines);
        }
    }
}
