package shop.dev;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.stack.Template;

/**
 * Scheduler fires the functions' {@code Type: Schedule} events with the ScheduledEvent EventBridge
 * sends, at their {@code rate(...)} (or every {@code override} when set, for tests and demos),
 * through the asynchronous invoker. The first firing comes one period after start, as with a new
 * EventBridge rule. {@code cron(...)} expressions are not run locally (logged at start).
 */
final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("shop.dev.schedule");
    private static final Pattern RATE = Pattern.compile("rate\\(\\s*(\\d+)\\s+(minute|minutes|hour|hours|day|days)\\s*\\)");

    /**
     * Job is one schedule.
     *
     * @param functionId the function to invoke
     * @param ruleName   the event's name in the template, used in the rule ARN
     * @param period     how often it fires
     */
    record Job(String functionId, String ruleName, Duration period) {
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("scheduler").factory());
    private final AsyncInvoker invoker;
    private final Clock clock;

    Scheduler(List<Job> jobs, AsyncInvoker invoker, Clock clock) {
        this.invoker = invoker;
        this.clock = clock;
        for (Job job : jobs) {
            long ms = job.period().toMillis();
            timer.scheduleAtFixedRate(() -> fire(job), ms, ms, TimeUnit.MILLISECONDS);
            LOG.info("schedule {} -> {} every {} ms", job.ruleName(), job.functionId(), ms);
        }
    }

    /** fromTemplate lists the enabled rate schedules; {@code override} replaces every period when present. */
    static List<Job> fromTemplate(Template template, Optional<Duration> override) {
        List<Job> jobs = new ArrayList<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((functionId, resource) -> {
            Map<String, Object> props = Template.map(resource.get("Properties"));
            Template.map(props.get("Events")).forEach((eventId, raw) -> {
                Map<String, Object> event = Template.map(raw);
                if (!"Schedule".equals(event.get("Type"))) {
                    return;
                }
                Map<String, Object> p = Template.map(event.get("Properties"));
                if (Boolean.FALSE.equals(p.get("Enabled")) || "DISABLED".equals(p.get("State"))) {
                    return;
                }
                String expression = String.valueOf(p.get("Schedule")).trim();
                Optional<Duration> period = rate(expression);
                if (period.isEmpty()) {
                    LOG.warn("{}.{}: '{}' is not a rate(...) expression; not run locally", functionId, eventId, expression);
                    return;
                }
                jobs.add(new Job(functionId, eventId, override.orElse(period.get())));
            });
        });
        return jobs;
    }

    /** rate parses {@code rate(N minute|minutes|hour|hours|day|days)}. */
    static Optional<Duration> rate(String expression) {
        Matcher m = RATE.matcher(expression.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "minute", "minutes" -> Duration.ofMinutes(n);
            case "hour", "hours" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /** parseEvery reads a duration such as {@code 5s}, {@code 500ms}, {@code 2m}. */
    static Duration parseEvery(String text) {
        Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m|h)").matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--schedule-every takes a duration like 5s, 500ms or 2m, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("--schedule-every must be positive");
        }
        return d;
    }

    private void fire(Job job) {
        invoker.submit(job.functionId(), "schedule " + job.ruleName(), eventJson(job));
    }

    /** eventJson is the ScheduledEvent EventBridge sends for a rule. */
    String eventJson(Job job) {
        ObjectNode e = ProxyEvent.JSON.createObjectNode();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", "Scheduled Event");
        e.put("source", "aws.events");
        e.put("account", LocalAws.ACCOUNT);
        e.put("time", clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        e.put("region", LocalAws.REGION);
        e.putArray("resources").add("arn:aws:events:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT + ":rule/"
                + LocalAws.STACK_NAME + "-" + job.ruleName());
        e.putObject("detail");
        return e.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
