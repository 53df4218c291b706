package shop.platform.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.platform.config.AwsConfig;
import shop.platform.config.Env;
import shop.platform.deadline.Deadline;
import shop.platform.error.DeadlineExceededException;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.ProblemException;
import shop.platform.http.Problems;
import shop.testing.FreezableProxy;
import shop.testing.TestStack;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * SdkDeadline on real calls of a client built by AwsClients, to the local DynamoDB stand-in behind a
 * proxy the test freezes: during a request a call ends at the request's deadline (not at the client's
 * longer bounds), keeps a shorter bound of its own, and is not even sent when no time is left; outside
 * a request the client's own finite bounds end it.
 */
class SdkDeadlineTest {
    private final Env env = TestStack.get().env(Map.of());
    private final String table = env.require("UPLOAD_TICKETS_TABLE");
    private FreezableProxy proxy;
    private DynamoDbClient dynamo;

    @BeforeEach
    void start() throws Exception {
        URI endpoint = URI.create(env.require("DYNAMODB_ENDPOINT"));
        proxy = new FreezableProxy(endpoint.getHost(), endpoint.getPort());
        dynamo = AwsClients.dynamo(AwsConfig.from(TestStack.get().env(Map.of(
                "DYNAMODB_ENDPOINT", "http://127.0.0.1:" + proxy.port()))));
        read(); // the proxy is in the path, and the client's connection is open when it freezes
    }

    @AfterEach
    void stop() throws Exception {
        dynamo.close();
        proxy.close();
    }

    private void read() {
        dynamo.getItem(r -> r.tableName(table).key(Map.of("uploadId", AttributeValue.fromS(UUID.randomUUID().toString()))));
    }

    /** Failure is what a call threw, how long it took, and what the API would answer. */
    private record Failure(SdkException thrown, long millis, ProblemException answer) {
    }

    /** failingCall runs one read under {@code deadline}, which must fail, and maps it as ApiHandler would. */
    private Failure failingCall(Deadline deadline, Runnable call) {
        return deadline.run(() -> {
            long start = System.nanoTime();
            SdkException e = assertThrows(SdkException.class, call::run);
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Failure(e, millis, Problems.known(e).orElseThrow(() -> new AssertionError("unmapped", e)));
        });
    }

    @Test
    void duringARequest_aFrozenServiceFailsTheCallAtTheDeadline_as503DeadlineExceeded() {
        proxy.freeze();
        Duration budget = Duration.ofMillis(1200);

        Failure f = failingCall(Deadline.in(budget), this::read);

        assertInstanceOf(ApiCallTimeoutException.class, f.thrown());
        assertTrue(f.millis() >= budget.toMillis() - 50, "ended before the deadline: " + f.millis() + " ms");
        // The client's own bounds (3 s an attempt, 8 s a call) would have ended it much later.
        assertTrue(f.millis() < AwsClients.DYNAMODB_TIMEOUTS.attempt().toMillis(),
                "not ended by the deadline: " + f.millis() + " ms");
        assertInstanceOf(DeadlineExceededException.class, f.answer());
        assertEquals(503, f.answer().status());
        assertTrue(f.answer().retryAfter().isPresent());
    }

    @Test
    void duringARequest_aCallsOwnShorterTimeout_isKept() {
        proxy.freeze();

        Failure f = failingCall(Deadline.in(Duration.ofSeconds(20)), () -> dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("uploadId", AttributeValue.fromS("x")))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(400)))));

        assertInstanceOf(ApiCallTimeoutException.class, f.thrown());
        assertTrue(f.millis() < 2_000, "the call's own 400 ms were lengthened: " + f.millis() + " ms");
        // Its own bound, not the request's deadline, ended it: the service is out of reach, retry later.
        assertInstanceOf(DependencyUnavailableException.class, f.answer());
    }

    @Test
    void duringARequest_withNoTimeLeft_theCallIsNotSent() {
        // Not frozen: a call that was sent would succeed.
        Failure f = failingCall(Deadline.in(SdkDeadline.MIN_CALL_TIME.dividedBy(2)), this::read);

        assertInstanceOf(ApiCallTimeoutException.class, f.thrown());
        assertTrue(f.millis() < SdkDeadline.MIN_CALL_TIME.toMillis(), f.millis() + " ms");
        assertInstanceOf(DeadlineExceededException.class, f.answer());
    }

    @Test
    void outsideARequest_theClientsOwnBoundsEndTheCall() {
        proxy.freeze();
        Duration bound = AwsClients.DYNAMODB_TIMEOUTS.call();

        Failure f = failingCall(Deadline.NONE, this::read);

        assertInstanceOf(SdkClientException.class, f.thrown());
        assertTrue(f.millis() >= AwsClients.DYNAMODB_TIMEOUTS.attempt().toMillis() - 50,
                "ended before one attempt could time out: " + f.millis() + " ms");
        assertTrue(f.millis() < bound.toMillis() + 2_000, "the client's " + bound + " did not end it: " + f.millis() + " ms");
        assertInstanceOf(DependencyUnavailableException.class, f.answer());
    }
}
