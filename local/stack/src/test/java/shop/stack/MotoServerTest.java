package shop.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one moto_server launcher of every module's tests: it serves on loopback, one JVM shares one,
 * a server of a test's own stops when closed, and a moto that cannot run fails the test (an
 * AssertionError, which JUnit reports as a failure; only an assumption would make it a skip).
 */
class MotoServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int status(MotoServer moto, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(moto.endpoint().resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aServerOfItsOwn_answersOnLoopback_andStopsWhenClosed() throws Exception {
        MotoServer moto = MotoServer.start();
        try {
            assertEquals("127.0.0.1", moto.endpoint().getHost());
            assertEquals(200, status(moto, "/moto-api/data.json"));
            moto.reset();
            moto.configure("{\"lambda\": {\"use_docker\": false}}");
        } finally {
            moto.close();
        }
        assertThrows(IOException.class, () -> status(moto, "/moto-api/data.json"));
    }

    @Test
    void theSharedServer_isOnePerJvm() throws Exception {
        MotoServer shared = MotoServer.shared();
        assertSame(shared, MotoServer.shared());
        assertEquals(200, status(shared, "/moto-api/data.json"));
    }

    @Test
    void aMotoThatCannotRun_failsTheTest_sayingHowToInstallIt() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> MotoServer.start(Map.of("MOTO_SERVER", "/nonexistent/moto_server", "PATH", "")));
        assertTrue(e.getMessage().contains("pip install 'moto[server]==5.2.1'"), e.getMessage());
    }
}
