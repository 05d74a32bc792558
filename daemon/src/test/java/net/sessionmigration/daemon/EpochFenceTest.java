package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.ErrorAnswer;
import net.sessionmigration.daemon.protocol.GatewayMoveAnswer;
import net.sessionmigration.daemon.protocol.GatewayRequest;
import net.sessionmigration.daemon.protocol.GatewayVlansAnswer;
import net.sessionmigration.daemon.protocol.HealthAnswer;
import net.sessionmigration.daemon.protocol.MutualTls;
import net.sessionmigration.daemon.protocol.ProbeAnswer;
import net.sessionmigration.daemon.protocol.ProbeRequest;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

/**
 * The coordinators' epochs at the real control server (mutual TLS, migration and gateway roles,
 * the gateway's kernel in memory, the highest epoch kept in a state directory as {@code Main} keeps
 * it): a changing request below the highest epoch seen is refused with 409 {@code fenced} naming
 * both epochs before anything is done, and counted; a request without the header is epoch 0; a
 * restarted daemon still refuses; reads are never refused; peers are sent the request's epoch.
 */
class EpochFenceTest {
    @TempDir
    static Path pkiDir;
    static TestPki pki;
    static SSLContext serverSsl;
    static SSLContext clientSsl;

    @TempDir
    Path state;
    FakeGatewayKernel kernel;
    ControlServer server;
    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void pki() throws Exception {
        pki = new TestPki(pkiDir);
        char[] pw = TestPki.PASS.toCharArray();
        serverSsl = MutualTls.sslContext(pki.store("server"), pw, pki.store("truststore"), pw);
        clientSsl = MutualTls.sslContext(pki.store("client"), pw, pki.store("truststore"), pw);
    }

    @BeforeEach
    void start() throws Exception {
        Logger.getLogger("sm-daemon").addHandler(capture);
        kernel = new FakeGatewayKernel("p1", "p2");
        server = startOn(state);
    }

    @AfterEach
    void stop() {
        server.close();
        Logger.getLogger("sm-daemon").removeHandler(capture);
    }

    @AfterAll
    static void none() {
    }

    /** A daemon whose image root (where {@code Main} keeps the highest epoch) is {@code dir}. */
    ControlServer startOn(Path dir) throws IOException {
        DaemonConfig config = new DaemonConfig("fenced-srv", "127.0.0.1", 1,
                new DaemonConfig.Tls("unused", "unused", "unused", "unused"), Map.of(), "/nonexistent/criu",
                dir.toString(), 1024, Map.of("stream", new DaemonConfig.WorkloadSpec("no-such-process-x", null, null, "lo")));
        MigrationService service = new MigrationService(config, new Criu("/nonexistent/criu"), new VirtualIpControl(),
                new PeerClient(serverSsl, Map.of()));
        ControlServer s = new ControlServer(new InetSocketAddress("127.0.0.1", 0), serverSsl, service,
                new GatewayService("fenced-gw", kernel), null, EpochFence.keptIn(dir));
        s.start();
        return s;
    }

    DaemonClient client() {
        return new DaemonClient(clientSsl, Map.of("d", "https://127.0.0.1:" + server.port()), Duration.ofSeconds(20));
    }

    static GatewayRequest move(int from, int to) {
        return GatewayRequest.moves(List.of(new GatewayRequest.Move("p1", from, to)), true);
    }

    HealthAnswer health() throws Exception {
        return client().get("d", "/v1/health", HealthAnswer.class);
    }

    /** The highest epoch the daemon says it has seen. */
    long epoch() throws Exception {
        return health().epoch();
    }

    /** The refusals the daemon says it counted since it started. */
    long refusals() throws Exception {
        return health().fencedRefusals();
    }

    /** The daemon's refusal of a call, which must be one. */
    static DaemonClient.DaemonException refused(DaemonClient c, String path, Object body) {
        return assertThrows(DaemonClient.DaemonException.class, () -> c.post("d", path, body, GatewayMoveAnswer.class));
    }

    static void assertFenced(DaemonClient.DaemonException e, long epoch, long highest) {
        assertEquals(409, e.status(), e.getMessage());
        ErrorAnswer a = e.answer().orElseThrow();
        assertEquals(ErrorAnswer.FENCED, a.kind());
        assertTrue(a.text().startsWith("epoch " + epoch + " is below " + highest + ", the highest this daemon has seen:"
                + " another coordinator leads now"), a.text());
        assertTrue(a.text().contains("without X-SM-Epoch is epoch 0"), "the hint for a coordinator alone: " + a.text());
    }

    @Test
    void aFreshDaemonTakesACoordinatorAloneWithOrWithoutTheHeader() throws Exception {
        client().post("d", "/gateway/v1/move", move(1, 2), GatewayMoveAnswer.class);
        client().withEpoch(0).post("d", "/gateway/v1/move", move(2, 1), GatewayMoveAnswer.class);
        assertEquals(List.of("p1:1->2", "p1:2->1"), kernel.log);
        assertEquals(0, epoch());
        assertEquals(0, refusals());
        assertFalse(Files.exists(state.resolve(EpochFence.FILE)), "nothing to remember at epoch 0");
    }

    @Test
    void aHigherEpochIsTakenLoggedOnceAndKeptInTheStateDirectory() throws Exception {
        client().withEpoch(5).post("d", "/gateway/v1/move", move(1, 2), GatewayMoveAnswer.class);
        client().withEpoch(5).post("d", "/gateway/v1/move", move(2, 1), GatewayMoveAnswer.class);
        assertEquals(List.of("p1:1->2", "p1:2->1"), kernel.log);
        assertEquals(5, epoch());
        assertEquals("5\n", Files.readString(state.resolve(EpochFence.FILE)));
        assertFalse(Files.exists(state.resolve(EpochFence.FILE + ".tmp")), "the temporary file was renamed");
        assertEquals(List.of("epoch 5 (was 0)"), logged.stream().filter(r -> r.getLevel() == Level.INFO)
                .map(LogRecord::getMessage).filter(m -> m.startsWith("epoch ")).toList());
    }

    @Test
    void aLowerEpochOrNoneIsRefusedBeforeAnythingIsDoneAndCounted() throws Exception {
        client().withEpoch(5).post("d", "/gateway/v1/move", move(1, 2), GatewayMoveAnswer.class);

        assertFenced(refused(client().withEpoch(3), "/gateway/v1/move", move(2, 1)), 3, 5);
        assertEquals(List.of("p1:1->2"), kernel.log, "the refused move reached the kernel");
        assertEquals(1, refusals());
        LogRecord warning = logged.stream().filter(r -> r.getLevel() == Level.WARNING).findFirst().orElseThrow();
        assertEquals("refused POST /gateway/v1/move: epoch 3 is below 5, the highest this daemon has seen"
                + " (refusal 1 since start)", warning.getMessage());

        // no header: a coordinator alone, epoch 0
        assertFenced(refused(client(), "/gateway/v1/move", move(2, 1)), 0, 5);
        // a migration operation is refused before its body is read: this one would be a 400
        assertFenced(refused(client().withEpoch(4), "/v1/migrations/m1/rollback", Map.of("no", "workload")), 4, 5);
        assertFenced(refused(client().withEpoch(4), "/v1/workloads/stream/start", Map.of()), 4, 5);
        assertEquals(List.of("p1:1->2"), kernel.log);
        assertEquals(4, refusals());
        assertEquals(5, epoch(), "a refusal does not lower the highest");

        client().withEpoch(5).post("d", "/gateway/v1/move", move(2, 1), GatewayMoveAnswer.class);
        assertEquals(List.of("p1:1->2", "p1:2->1"), kernel.log, "the leader of epoch 5 still acts");
    }

    @Test
    void readsAreNeverRefused() throws Exception {
        client().withEpoch(5).post("d", "/gateway/v1/vlans", GatewayRequest.vlans(List.of("p1")), GatewayVlansAnswer.class);
        client().withEpoch(9).post("d", "/gateway/v1/move", move(1, 2), GatewayMoveAnswer.class);
        for (DaemonClient c : List.of(client(), client().withEpoch(3))) {
            assertEquals("fenced-srv", c.get("d", "/v1/health", HealthAnswer.class).server());
            assertEquals(Map.of("p1", 2), c.post("d", "/gateway/v1/vlans", GatewayRequest.vlans(List.of("p1")),
                    GatewayVlansAnswer.class).vlans());
            c.post("d", "/gateway/v1/preflight", move(2, 1), net.sessionmigration.daemon.protocol.GatewayPreflightAnswer.class);
            c.post("d", "/v1/probe", new ProbeRequest("127.0.0.1", 9, 500), ProbeAnswer.class);
            assertFalse(c.get("d", "/v1/workloads/stream/state", WorkloadStateAnswer.class).found());
        }
        assertEquals(0, refusals());
        assertEquals(9, epoch(), "a read's epoch is not taken");
    }

    @Test
    void aRestartedDaemonStillRefusesTheDeposedLeader() throws Exception {
        client().withEpoch(5).post("d", "/gateway/v1/move", move(1, 2), GatewayMoveAnswer.class);
        server.close();
        server = startOn(state);
        assertEquals(5, epoch());
        assertEquals(0, refusals(), "refusals are counted since start");
        assertFenced(refused(client().withEpoch(3), "/gateway/v1/move", move(2, 1)), 3, 5);
        assertEquals(List.of("p1:1->2"), kernel.log);
        client().withEpoch(6).post("d", "/gateway/v1/move", move(2, 1), GatewayMoveAnswer.class);
        assertEquals("6\n", Files.readString(state.resolve(EpochFence.FILE)));
    }

    @Test
    void aBadEpochHeaderIsA400AndChangesNothing() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(clientSsl).version(HttpClient.Version.HTTP_1_1).build();
        String body = "{\"moves\":[{\"port\":\"p1\",\"from\":1,\"to\":2}],\"putBack\":true}";
        for (List<String> values : List.of(List.of("-1"), List.of("five"), List.of("5 6"), List.of("1234567890123456789"),
                List.of("5", "6"))) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/gateway/v1/move"))
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            values.forEach(v -> b.header(DaemonClient.EPOCH_HEADER, v));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), values + " -> " + r.body());
            assertTrue(r.body().contains("X-SM-Epoch must be given once, a whole number"), r.body());
        }
        assertEquals(List.of(), kernel.log);
        assertEquals(0, epoch());
    }

    @Test
    void aStateFileThatHoldsNoEpochStopsTheStart(@TempDir Path other) throws Exception {
        Files.writeString(other.resolve(EpochFence.FILE), "seven\n");
        IOException e = assertThrows(IOException.class, () -> EpochFence.keptIn(other));
        assertTrue(e.getMessage().contains("holds no epoch"), e.getMessage());
    }

    /** What a source daemon sends its target for a migration request at epoch 5 (image, restore, page server). */
    @Test
    void aPeerCallCarriesTheEpochOfTheRequestItServes() throws Exception {
        client().withEpoch(5).post("d", "/gateway/v1/move", move(1, 2), GatewayMoveAnswer.class);
        PeerClient peers = new PeerClient(serverSsl, Map.of("target", "https://127.0.0.1:" + server.port()));
        IOException e = assertThrows(IOException.class,
                () -> peers.postJson("target", "/gateway/v1/move", move(2, 1), GatewayMoveAnswer.class, 3));
        assertTrue(e.getMessage().startsWith("peer target: daemon answered 409: epoch 3 is below 5"), e.getMessage());
        peers.postJson("target", "/gateway/v1/move", move(2, 1), GatewayMoveAnswer.class, 5);
        assertEquals(List.of("p1:1->2", "p1:2->1"), kernel.log);
    }
}
