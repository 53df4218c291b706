package shop.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local DynamoDB keeps serving after clients drop requests half sent, as an SDK call cut off by
 * its deadline does (dynalite 4.0.0 alone ends its process on the first one, and every later call of
 * the stack is refused).
 */
class DynaliteTest {
    @TempDir
    Path work;

    @Test
    void requestsDroppedMidBody_leaveTheServerAnswering() throws Exception {
        try (Dynalite dynalite = Dynalite.start(ProjectRoot.find(), work)) {
            URI endpoint = dynalite.endpoint();
            assertEquals(200, listTables(endpoint).statusCode());
            for (int i = 0; i < 5; i++) {
                try (Socket s = new Socket(endpoint.getHost(), endpoint.getPort())) {
                    OutputStream out = s.getOutputStream();
                    out.write(("POST / HTTP/1.1\r\nHost: " + endpoint.getAuthority() + "\r\n"
                            + "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                            + "Content-Length: 1000\r\n\r\n{\"Limit\":").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(50); // the server has the headers and part of the body
                    s.setSoLinger(true, 0); // then the connection is reset, not closed
                }
            }
            Thread.sleep(200);
            HttpResponse<String> after = listTables(endpoint);
            assertEquals(200, after.statusCode(), after.body());
            assertTrue(after.body().contains("TableNames"), after.body());
        }
    }

    private static HttpResponse<String> listTables(URI endpoint) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request,"
                        + " SignedHeaders=host, Signature=0")
                .header("X-Amz-Date", "20260101T000000Z")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }
}
