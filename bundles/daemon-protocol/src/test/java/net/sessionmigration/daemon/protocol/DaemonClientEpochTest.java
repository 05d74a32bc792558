package net.sessionmigration.daemon.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * {@link DaemonClient#withEpoch}: each request of the view carries {@code X-SM-Epoch}, the client
 * it comes from sends none, and views of one client at different epochs do not mix (seen by a
 * loopback server in plain HTTP, which records the header as it arrives).
 */
class DaemonClientEpochTest {
    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private DaemonClient client;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            List<String> h = ex.getRequestHeaders().get(DaemonClient.EPOCH_HEADER);
            seen.add(ex.getRequestMethod() + " " + (h == null ? "none" : String.join(",", h)));
            byte[] out = "{\"ok\":true,\"server\":\"d\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
        client = new DaemonClient(SSLContext.getDefault(), Map.of("d", "http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aViewAtAnEpochSendsItAndTheClientItCameFromDoesNot() throws IOException {
        DaemonClient at7 = client.withEpoch(7);
        DaemonClient at0 = client.withEpoch(0);
        at7.post("d", "/v1/migrations/m1/freeze", Map.of(), HealthAnswer.class);
        client.post("d", "/v1/migrations/m1/freeze", Map.of(), HealthAnswer.class);
        at0.post("d", "/gateway/v1/move", Map.of(), HealthAnswer.class);
        at7.get("d", "/v1/health", HealthAnswer.class);
        client.get("d", "/v1/health", HealthAnswer.class);
        assertEquals(List.of("POST 7", "POST none", "POST 0", "GET 7", "GET none"), seen);
        assertEquals(OptionalLong.of(7), at7.epoch());
        assertEquals(OptionalLong.empty(), client.epoch());
        assertEquals(OptionalLong.of(9), at7.withEpoch(9).epoch(), "a view of a view has its own epoch");
    }

    @Test
    void anEpochIsNeverNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.withEpoch(-1));
        assertEquals("an epoch is 0 or more, not -1", e.getMessage());
    }
}
