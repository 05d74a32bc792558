package net.sessionmigration.daemondriver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.driverkit.RecordingContext;
import net.sessionmigration.daemon.protocol.DaemonClient;

/**
 * main-srv and bak-srv as one stand-in on loopback, in plain HTTP so that each request is
 * recorded as the driver sent it: {@code "POST /v1/migrations/m1/freeze epoch=7"}, or
 * {@code epoch=none} without the {@code X-SM-Epoch} header. Every GET is answered with a found,
 * stopped workload (a paused VM: a destination ready for S710), every POST with a finished operation.
 */
final class RecordingDaemons implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    RecordingDaemons() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::answer);
        server.start();
    }

    private void answer(HttpExchange ex) throws IOException {
        ex.getRequestBody().readAllBytes();
        String epoch = ex.getRequestHeaders().getFirst(DaemonClient.EPOCH_HEADER);
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " epoch=" + (epoch == null ? "none" : epoch));
        String body = ex.getRequestMethod().equals("GET")
                ? "{\"server\":\"srv\",\"workload\":\"w\",\"kind\":\"vm\",\"found\":true,\"pid\":42,\"status\":\"paused\","
                        + "\"stopped\":true}"
                : "{\"ok\":true,\"summary\":\"done\",\"measurements\":{},\"done\":true}";
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    /** A client of both daemons, as the driver component makes it (but without TLS). */
    DaemonClient client() throws NoSuchAlgorithmException {
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return new DaemonClient(SSLContext.getDefault(), Map.of("main-srv", url, "bak-srv", url), Duration.ofSeconds(10));
    }

    /** The requests of one method, as recorded. */
    List<String> of(String method) {
        return requests.stream().filter(r -> r.startsWith(method + " ")).toList();
    }

    /** The context of a coordinator at {@code epoch}. */
    static DriverContext atEpoch(long epoch) {
        return new RecordingContext("m1").atEpoch(epoch);
    }

    /** A context at {@code epoch} whose {@code fenced()} answers {@code why}. */
    static DriverContext fencedAt(long epoch, String why) {
        return new RecordingContext("m1").atEpoch(epoch).fencedBecause(why);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
