package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.daemon.protocol.MutualTls;

/** The control API over real TLS: client certificates are mandatory, requests are validated. */
class ControlServerTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static ControlServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        char[] pw = TestPki.PASS.toCharArray();
        SSLContext ssl = MutualTls.sslContext(pki.store("server"), pw, pki.store("truststore"), pw);
        DaemonConfig config = new DaemonConfig("test-srv", "127.0.0.1", 1,
                new DaemonConfig.Tls("unused", "unused", "unused", "unused"), Map.of(), "/nonexistent/criu",
                dir.resolve("img").toString(), 1024, Map.of("stream", new DaemonConfig.WorkloadSpec("no-such-process-x", null, null, "lo")));
        MigrationService service = new MigrationService(config, new Criu("/nonexistent/criu"), new VirtualIpControl(),
                new PeerClient(ssl, Map.of()));
        server = new ControlServer(new InetSocketAddress("127.0.0.1", 0), ssl, service);
        server.start();
        base = "https://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpClient client(String keystore) throws Exception {
        char[] pw = TestPki.PASS.toCharArray();
        SSLContext ctx;
        if (keystore == null) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pki.store("truststore"))) {
                ts.load(in, pw);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
        } else {
            ctx = MutualTls.sslContext(pki.store(keystore), pw, pki.store("truststore"), pw);
        }
        return HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1).build();
    }

    static HttpResponse<String> get(HttpClient c, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(HttpClient c, String path, byte[] body) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClientWithTheLabCertificateIsServed() throws Exception {
        HttpResponse<String> r = get(client("client"), "/v1/health");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("test-srv"));
    }

    @Test
    void aClientWithoutCertificateIsRefused() {
        assertThrows(IOException.class, () -> get(client(null), "/v1/health"));
    }

    @Test
    void aClientWithACertificateFromAnotherCaIsRefused() {
        assertThrows(IOException.class, () -> get(client("rogue"), "/v1/health"));
    }

    @Test
    void badNamesInThePathAre400() throws Exception {
        HttpClient c = client("client");
        for (String bad : List.of("a;%20rm%20-rf%20%2F", "%24(reboot)", "a%20b", "..%2F..%2Fetc", "..", "%60id%60")) {
            assertEquals(400, get(c, "/v1/workloads/" + bad + "/state").statusCode(), bad);
            assertEquals(400, post(c, "/v1/migrations/" + bad + "/freeze",
                    "{\"workload\":\"stream\",\"vip\":\"10.20.0.100\"}".getBytes()).statusCode(), bad);
        }
    }

    @Test
    void badValuesInTheBodyAre400() throws Exception {
        HttpClient c = client("client");
        for (String body : List.of("{\"workload\":\"; rm -rf /\",\"vip\":\"10.20.0.100\"}",
                "{\"workload\":\"$(reboot)\",\"vip\":\"10.20.0.100\"}",
                "{\"workload\":\"stream\",\"vip\":\"10.20.0.100 ; rm\"}",
                "{\"workload\":\"stream\",\"vip\":\"10.20.0.100\",\"extra\":1}",
                "not json")) {
            HttpResponse<String> r = post(c, "/v1/migrations/m1/freeze", body.getBytes());
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
        }
        assertEquals(400, get(c, "/v1/workloads/stream/state?vip=evil.example").statusCode());
        assertEquals(400, post(c, "/v1/migrations/m1/restore?workload=..%2Fx", new byte[10]).statusCode());
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        byte[] big = new byte[ControlServer.MAX_JSON_BODY + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        assertEquals(413, post(client("client"), "/v1/migrations/m1/freeze", big).statusCode());
    }

    @Test
    void anImageOverTheLimitIs400() throws Exception {
        byte[] archive = ImageArchiveTest.archive(Map.of("pages-1.img", new byte[4096]));
        HttpResponse<String> r = post(client("client"), "/v1/migrations/m1/restore?workload=stream", archive);
        assertEquals(400, r.statusCode(), r.body());
    }

    @Test
    void unknownWorkloadsAndEndpoints() throws Exception {
        HttpClient c = client("client");
        assertEquals(400, get(c, "/v1/workloads/other/state").statusCode());
        assertEquals(404, get(c, "/v1/nothing").statusCode());
        HttpResponse<String> r = get(c, "/v1/workloads/stream/state");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"found\":false"), r.body());
    }
}
