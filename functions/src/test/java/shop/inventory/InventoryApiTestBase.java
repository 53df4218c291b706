package shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static shop.inventory.InventoryFixture.problemType;
import static shop.inventory.InventoryFixture.snapshot;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import shop.testing.OpenApiContract;
import shop.testing.TestStack;

/**
 * InventoryApiTestBase runs the inventory routes on the real local stack, in rowlock mode (the lock has
 * its own tests), with a sweeper beside them; every test starts from empty inventory tables.
 */
abstract class InventoryApiTestBase {
    static final String PROBLEM = "https://shop.example/problems/";
    static InventoryApiHandler handler;
    static ReservationSweeperHandler sweeper;

    @BeforeAll
    static void start() {
        TestStack test = TestStack.get();
        handler = new InventoryApiHandler(test.env(Map.of("LOCK_MODE", "rowlock")));
        sweeper = new ReservationSweeperHandler(test.env(Map.of()));
    }

    @AfterAll
    static void stop() throws Exception {
        handler.close();
        sweeper.close();
    }

    @BeforeEach
    void reset() {
        InventoryFixture.resetTables();
    }

    /** Every test ends with every goods' counters equal to its records, and no goods oversold. */
    @AfterEach
    void reconciled() {
        InventoryFixture.assertReconciled();
    }

    /** call runs the event through the handler and checks the response against docs/openapi.yaml. */
    static APIGatewayProxyResponseEvent call(APIGatewayProxyRequestEvent event) {
        APIGatewayProxyResponseEvent response = handler.handleRequest(event, null);
        OpenApiContract.get().check(event, response);
        return response;
    }

    /** assertRejected checks a refusal's status, problem type and media type, and that the database is as {@code before}. */
    static void assertRejected(APIGatewayProxyResponseEvent r, int status, String slug, String before) {
        assertEquals(status, r.getStatusCode().intValue(), r.getBody());
        assertEquals(PROBLEM + slug, problemType(r), r.getBody());
        assertEquals("application/problem+json", r.getHeaders().get("Content-Type"));
        assertEquals(before, snapshot(), "a refused request changed the database");
    }
}
