package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    @Test
    void fromTemplate_readsTheSweepersRate_andTheOverrideReplacesIt() {
        var jobs = Scheduler.fromTemplate(Fixtures.TEMPLATE, Optional.empty());
        assertEquals(List.of(new Scheduler.Job("ReservationSweeperFunction", "EveryMinute", Duration.ofMinutes(1)),
                new Scheduler.Job("InventoryReconciliationFunction", "Every15Minutes", Duration.ofMinutes(15))), jobs);
        assertEquals(Duration.ofSeconds(5),
                Scheduler.fromTemplate(Fixtures.TEMPLATE, Optional.of(Scheduler.parseEvery("5s"))).getFirst().period());
        assertEquals(Optional.of(Duration.ofHours(2)), Scheduler.rate("rate(2 hours)"));
        assertEquals(Optional.empty(), Scheduler.rate("cron(0 12 * * ? *)"));
    }

    @Test
    void scheduler_firesTheFunction_withAScheduledEvent_everyPeriod() throws Exception {
        RecordingHandlers.Schedule.RECEIVED.clear();
        LambdaFunctions functions = Fixtures.functions(Map.of("ReservationSweeperFunction",
                RecordingHandlers.Schedule.class.getName() + "::handleRequest"));
        try (AsyncInvoker invoker = new AsyncInvoker(functions, List.of(), FailedEvents.in(java.nio.file.Files.createTempDirectory("failed-events")));
             Scheduler ignored = new Scheduler(List.of(new Scheduler.Job("ReservationSweeperFunction", "EveryMinute",
                     Duration.ofMillis(150))), invoker, Clock.systemUTC())) {
            ScheduledEvent first = RecordingHandlers.Schedule.RECEIVED.poll(10, TimeUnit.SECONDS);
            ScheduledEvent second = RecordingHandlers.Schedule.RECEIVED.poll(10, TimeUnit.SECONDS);
            assertNotNull(first);
            assertNotNull(second, "fires again after one period");
            assertEquals("Scheduled Event", first.getDetailType());
            assertEquals("aws.events", first.getSource());
            assertEquals("000000000000", first.getAccount());
            assertEquals(List.of("arn:aws:events:us-east-1:000000000000:rule/shop-local-EveryMinute"), first.getResources());
            assertNotNull(first.getTime());
            assertTrue(first.getDetail().isEmpty());
        }
    }
}
