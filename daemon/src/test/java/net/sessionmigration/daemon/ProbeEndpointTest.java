package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.daemon.protocol.MutualTls;

/** {@code POST /v1/probe} over real mutual TLS, against real sockets on the loopback. */
class ProbeEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestPki pki;
    static ControlServer server;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        char[] pw = TestPki.PASS.toCharArray();
        SSLContext ssl = MutualTls.sslContext(pki.store("server"), pw, pki.store("truststore"), pw);
        // a probe host's daemon: no workloads, no gateway role
        DaemonConfig config = new DaemonConfig("probe1", "127.0.0.1", 1,
                new DaemonConfig.Tls("unused", "unused", "unused", "unused"), Map.of(), "/nonexistent/criu",
                dir.resolve("img").toString(), 1024, Map.of());
        server = new ControlServer(new InetSocketAddress("127.0.0.1", 0), ssl, new MigrationService(config,
                new Criu("/nonexistent/criu"), new VirtualIpControl(), new PeerClient(ssl, Map.of())));
        server.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(MutualTls.sslContext(pki.store("client"), pw, pki.store("truststore"), pw)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> probe(HttpClient c, String body) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v1/probe"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aListeningPortAnswersWithItsConnectTime() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            HttpResponse<String> r = probe(client, "{\"address\":\"127.0.0.1\",\"port\":" + listening.getLocalPort()
                    + ",\"timeoutMs\":2000}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode n = JSON.readTree(r.body());
            assertTrue(n.get("reachable").asBoolean(), r.body());
            assertTrue(n.get("connectMicros").asLong() >= 0, r.body());
            assertEquals("127.0.0.1", n.get("from").asText());
        }
    }

    @Test
    void aClosedPortIsReportedRefused() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        HttpResponse<String> r = probe(client, "{\"address\":\"127.0.0.1\",\"port\":" + closed + ",\"timeoutMs\":2000}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(false, n.get("reachable").asBoolean(), r.body());
        assertEquals("refused", n.get("reason").asText(), r.body());
        assertTrue(n.get("error").asText().contains("127.0.0.1:" + closed + " refused"), r.body());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"address\":\"probe.example\",\"port\":7001,\"timeoutMs\":100}|address is not an IPv4 address literal",
            "{\"address\":\"10.0.0.1; reboot\",\"port\":7001,\"timeoutMs\":100}|address is not an IPv4 address literal",
            "{\"address\":\"::1\",\"port\":7001,\"timeoutMs\":100}|address is not an IPv4 address literal",
            "{\"port\":7001,\"timeoutMs\":100}|address is not an IPv4 address literal",
            "{\"address\":\"10.0.0.1\",\"port\":0,\"timeoutMs\":100}|port: a TCP port 1-65535 is required",
            "{\"address\":\"10.0.0.1\",\"port\":65536,\"timeoutMs\":100}|port: a TCP port 1-65535 is required",
            "{\"address\":\"10.0.0.1\",\"timeoutMs\":100}|port: a TCP port 1-65535 is required",
            "{\"address\":\"10.0.0.1\",\"port\":7001,\"timeoutMs\":0}|timeoutMs: 1-10000 ms is required",
            "{\"address\":\"10.0.0.1\",\"port\":7001,\"timeoutMs\":600000}|timeoutMs: 1-10000 ms is required",
            "{\"address\":\"10.0.0.1\",\"port\":7001}|timeoutMs: 1-10000 ms is required",
            "{\"address\":\"10.0.0.1\",\"port\":7001,\"timeoutMs\":100,\"shell\":\"id\"}|Unrecognized field \"shell\"",
            "not json|malformed request"})
    void badInputIs400NamingTheField(String body, String error) throws Exception {
        HttpResponse<String> r = probe(client, body);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains(error), r.body());
    }

    @Test
    void aClientWithACertificateFromAnotherCaCannotProbe() throws Exception {
        char[] pw = TestPki.PASS.toCharArray();
        HttpClient noCert = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(MutualTls.sslContext(pki.store("rogue"), pw, pki.store("truststore"), pw)).build();
        assertThrows(IOException.class, () -> probe(noCert, "{\"address\":\"127.0.0.1\",\"port\":1,\"timeoutMs\":10}"));
    }

    @Test
    void eachKernelFailureHasItsReason() {
        assertEquals(ProbeService.Reason.TIMED_OUT, ProbeService.reason(new SocketTimeoutException("Connect timed out")));
        assertEquals(ProbeService.Reason.NO_ROUTE, ProbeService.reason(new NoRouteToHostException("No route to host")));
        assertEquals(ProbeService.Reason.NETWORK_UNREACHABLE,
                ProbeService.reason(new ConnectException("Network is unreachable")));
        assertEquals(ProbeService.Reason.REFUSED, ProbeService.reason(new ConnectException("Connection refused")));
    }
}
