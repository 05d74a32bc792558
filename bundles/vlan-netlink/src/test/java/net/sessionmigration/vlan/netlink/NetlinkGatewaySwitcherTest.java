package net.sessionmigration.vlan.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.driverkit.RecordingContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.daemon.GatewayTestServer;
import net.sessionmigration.daemon.TestPki;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.HealthAnswer;
import net.sessionmigration.daemon.protocol.MutualTls;

/**
 * The driver against the real daemon control server (mTLS, JSON, gateway role) whose kernel
 * is in memory: request/response mapping, batch, a failure that leaves the other gateways' ports
 * moved for the restore, idempotent move and restore, a port on a third VLAN, every error kind.
 */
class NetlinkGatewaySwitcherTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static SSLContext serverSsl;
    static SSLContext clientSsl;

    GatewayTestServer gw1;
    GatewayTestServer gw2;
    final Map<String, GatewayClient> clients = new HashMap<>();
    NetlinkGatewaySwitcher switcher;
    final RecordingContext ctx = new RecordingContext("t");
    final List<String> ops = ctx.operations();

    @BeforeAll
    static void pki() throws Exception {
        pki = new TestPki(dir);
        char[] pw = TestPki.PASS.toCharArray();
        serverSsl = MutualTls.sslContext(pki.store("server"), pw, pki.store("truststore"), pw);
        clientSsl = MutualTls.sslContext(pki.store("client"), pw, pki.store("truststore"), pw);
    }

    @BeforeEach
    void start() throws Exception {
        gw1 = new GatewayTestServer("gw1", serverSsl, true, "p1", "p2");
        gw2 = new GatewayTestServer("gw2", serverSsl, true, "p1", "p2", "p3");
        clients.put("gw1", new GatewayClient("gw1", URI.create(gw1.url()), clientSsl, Duration.ofSeconds(5)));
        clients.put("gw2", new GatewayClient("gw2", URI.create(gw2.url()), clientSsl, Duration.ofSeconds(5)));
        switcher = new NetlinkGatewaySwitcher(n -> Optional.ofNullable(clients.get(n)));
    }

    @AfterEach
    void stop() {
        switcher.close();
        gw1.close();
        gw2.close();
    }

    @AfterAll
    static void none() {
    }

    static PortMove mv(String device, String port, int from, int to) {
        return new PortMove("u-" + device + "-" + port, new AccessPort(device, port), VlanId.of(from), VlanId.of(to));
    }

    static String cause(Result<?> r) {
        return r.failure().orElseThrow().cause();
    }

    /** The context of a coordinator at {@code epoch}. */
    DriverContext at(long epoch) {
        return new RecordingContext("t").atEpoch(epoch);
    }

    /** What gw1's daemon says of the epochs: the highest it has seen and its refusals. */
    HealthAnswer health(GatewayTestServer gw) throws Exception {
        return new DaemonClient(clientSsl, Map.of("gw", gw.url()), Duration.ofSeconds(5)).get("gw", "/v1/health",
                HealthAnswer.class);
    }

    /**
     * A move and a restore carry the caller's epoch to the gateway's daemon: a leader at 5 moves;
     * the deposed leader at 3 then restores, and the daemon refuses it (kind fenced, both epochs
     * named) with the port where the leader put it; the leader's own restore goes through.
     */
    @Test
    void aMoveCarriesTheCallersEpochAndAGatewayRefusesALowerOne() throws Exception {
        assertTrue(switcher.move(List.of(mv("gw1", "p1", 1, 2)), at(5)).isOk());
        assertEquals(5L, health(gw1).epoch().longValue());
        Result<OpReport> late = switcher.restore(List.of(mv("gw1", "p1", 1, 2)), at(3));
        assertEquals("gw1", late.failure().orElseThrow().device());
        assertTrue(cause(late).startsWith("epoch 3 is below 5, the highest this daemon has seen: another coordinator"
                + " leads now"), cause(late));
        assertEquals(2, gw1.vlans.get("p1"), "the deposed leader's restore moved the port");
        assertEquals(1L, health(gw1).fencedRefusals().longValue());
        Result<OpReport> alone = switcher.move(List.of(mv("gw1", "p2", 1, 2)), null);
        assertTrue(cause(alone).startsWith("epoch 0 is below 5"), "no context is a coordinator alone: " + cause(alone));
        assertEquals(1, gw1.vlans.get("p2"));
        assertTrue(switcher.restore(List.of(mv("gw1", "p1", 1, 2)), at(5)).isOk());
        assertEquals(1, gw1.vlans.get("p1"));
        assertEquals(Map.of(new AccessPort("gw1", "p1"), VlanId.of(1)),
                switcher.readVlans(List.of(new AccessPort("gw1", "p1"))).orElseThrow(), "a read is never refused");
        assertEquals(0L, health(gw2).epoch().longValue(), "gw2 was not called");
    }

    @Test
    void moveBodyIsTheDaemonsJson() throws Exception {
        String json = new ObjectMapper().writeValueAsString(NetlinkGatewaySwitcher.moveBody(List.of(mv("gw1", "p1", 1, 2)), true));
        assertEquals("{\"moves\":[{\"port\":\"p1\",\"from\":1,\"to\":2}],\"putBack\":true}", json);
    }

    @Test
    void movesOnTwoGatewaysOneRequestEachAndReadsBack() {
        Result<OpReport> r = switcher.move(List.of(mv("gw1", "p1", 1, 2), mv("gw2", "p1", 1, 2), mv("gw2", "p3", 1, 2)), ctx);
        assertTrue(r.isOk(), () -> r.failure().toString());
        assertEquals("3", r.orElseThrow().measurements().get("ports"));
        assertEquals(2, ops.size(), ops.toString());
        assertEquals(2, gw1.vlans.get("p1"));
        assertEquals(1, gw1.vlans.get("p2"));
        Map<AccessPort, VlanId> now = switcher.readVlans(List.of(new AccessPort("gw1", "p1"), new AccessPort("gw2", "p2")))
                .orElseThrow();
        assertEquals(Map.of(new AccessPort("gw1", "p1"), VlanId.of(2), new AccessPort("gw2", "p2"), VlanId.of(1)), now);
    }

    @Test
    void aFailingPortIsReportedWithTheOtherGatewaysMovedPortsAndTheRestorePutsThemBack() {
        gw2.failing.add("p2");
        List<PortMove> moves = List.of(mv("gw1", "p1", 1, 2), mv("gw2", "p1", 1, 2), mv("gw2", "p2", 1, 2));
        Problem p = switcher.move(moves, ctx).failure().orElseThrow();
        assertEquals("gw2", p.device());
        assertTrue(p.cause().startsWith("port p2 (VLAN 1 → 2): set master of p2 to br-v2: Operation not permitted (EPERM)"),
                p.cause());
        // the gateway daemon keeps its own batch whole; the driver puts nothing back on gw1
        assertTrue(p.cause().contains("put back 1 port(s) already moved [p1]"), p.cause());
        assertTrue(p.cause().endsWith("; 1 port(s) moved before the failure [gw1/p1], the coordinator's restore puts them"
                + " back"), p.cause());
        assertEquals(1, ops.stream().filter(o -> o.startsWith("gw1 POST /gateway/v1/move")).count(), ops.toString());
        assertEquals(2, gw1.vlans.get("p1"), "gw1's port stays moved until the restore");
        assertEquals(1, gw2.vlans.get("p1"));
        assertEquals(1, gw2.vlans.get("p2"));

        OpReport restored = switcher.restore(moves, ctx).orElseThrow();
        assertEquals("put back 1 port(s) [gw1/p1], verified; 2 port(s) already on their original VLAN", restored.summary());
        assertEquals(1, gw1.vlans.get("p1"));
        ops.clear();
        assertEquals("no port to put back; 3 port(s) already on their original VLAN",
                switcher.restore(moves, ctx).orElseThrow().summary(), "restore twice is a no-op");
        assertFalse(ops.stream().anyMatch(o -> o.contains("/move")), ops.toString());
    }

    /** Forward recovery calls move again: ports already on their target VLAN count as moved. */
    @Test
    void aRepeatedMoveIsANoOpAndMovesOnlyThePortsStillOnTheirFromVlan() {
        List<PortMove> moves = List.of(mv("gw1", "p1", 1, 2), mv("gw1", "p2", 1, 2));
        assertTrue(switcher.move(moves, ctx).isOk());
        OpReport again = switcher.move(moves, ctx).orElseThrow();
        assertTrue(again.summary().endsWith("(2 of them already on their target VLAN: not moved again)"), again.summary());
        assertEquals(Map.of("p1", 2, "p2", 2), gw1.vlans);

        gw1.vlans.put("p1", 1); // the crash came between two ports
        ops.clear();
        OpReport rest = switcher.move(moves, ctx).orElseThrow();
        assertTrue(rest.summary().endsWith("(1 of them already on their target VLAN: not moved again)"), rest.summary());
        assertEquals(Map.of("p1", 2, "p2", 2), gw1.vlans);
        assertTrue(ops.get(ops.size() - 1).matches("gw1 POST /gateway/v1/move ×1 \\[p1→2\\] \\d+ms ok.*"), ops.toString());
    }

    /** [safety] The plan owns only ports on one of its two VLANs: move refuses, restore leaves and names. */
    @Test
    void aPortOnAThirdVlanIsRefusedByTheMoveAndLeftAloneByTheRestore() {
        gw1.existing.add(3);
        gw1.vlans.put("p2", 3); // someone else's VLAN since the preflight
        List<PortMove> moves = List.of(mv("gw1", "p1", 1, 2), mv("gw1", "p2", 1, 2));
        Problem p = switcher.move(moves, ctx).failure().orElseThrow();
        assertEquals(new Problem("gw1", "port p2 (user u-gw1-p2) is on VLAN 3, the plan expects VLAN 1 (or its target VLAN 2);"
                + " nothing was moved"), p);
        assertEquals(Map.of("p1", 1, "p2", 3), gw1.vlans);
        OpReport r = switcher.restore(moves, ctx).orElseThrow();
        assertTrue(r.summary().contains("left alone, on another VLAN than the plan's two (taken by someone else since the"
                + " preflight): [gw1/p2 (user u-gw1-p2) on VLAN 3]"), r.summary());
        assertEquals(Map.of("p1", 1, "p2", 3), gw1.vlans);

        // and taken after a successful move: the restore puts p1 back and leaves p2, again and again
        gw1.vlans.put("p2", 1);
        assertTrue(switcher.move(moves, ctx).isOk());
        gw1.vlans.put("p2", 3);
        for (int attempt = 1; attempt <= 2; attempt++) {
            OpReport back = switcher.restore(moves, ctx).orElseThrow();
            assertTrue(back.summary().startsWith(attempt == 1 ? "put back 1 port(s) [gw1/p1], verified"
                    : "no port to put back; 1 port(s) already on their original VLAN"), back.summary());
            assertTrue(back.summary().endsWith("[gw1/p2 (user u-gw1-p2) on VLAN 3]"), back.summary());
            assertEquals(Map.of("p1", 1, "p2", 3), gw1.vlans);
        }
    }

    @Test
    void restoreIsBestEffortPerGateway() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        clients.put("gw3", new GatewayClient("gw3", URI.create("https://127.0.0.1:" + free), clientSsl, Duration.ofSeconds(2)));
        gw1.vlans.put("p1", 2);
        Problem p = switcher.restore(List.of(mv("gw3", "p1", 1, 2), mv("gw1", "p1", 1, 2)), ctx).failure().orElseThrow();
        assertEquals("gw3", p.device());
        assertTrue(p.cause().contains("unreachable at https://127.0.0.1:" + free) && p.cause().contains("not put back: [gw3/p1]")
                && p.cause().endsWith("; on the other gateways: put back 1 port(s) [gw1/p1], verified"), p.cause());
        assertEquals(1, gw1.vlans.get("p1"), "the unreachable gateway did not keep gw1's user away");
    }

    @Test
    void unknownVlanAndUnknownPortAreClearAndMoveNothing() {
        gw1.existing.remove(2);
        String vlan = cause(switcher.move(List.of(mv("gw1", "p1", 1, 2)), ctx));
        assertEquals("VLAN 2 does not exist on the gateway (bridge br-v2 is missing); nothing was moved", vlan);
        String port = cause(switcher.move(List.of(mv("gw2", "p9", 1, 2)), ctx));
        assertEquals("port p9 does not exist on the gateway", port);
        assertEquals(1, gw1.vlans.get("p1"));
        Result<Map<AccessPort, VlanId>> read = switcher.readVlans(List.of(new AccessPort("gw2", "p9")));
        assertEquals(new Problem("gw2", "port p9 does not exist on the gateway"), read.failure().orElseThrow());
    }

    @Test
    void unreachableGatewayIsNamed() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        clients.put("gw3", new GatewayClient("gw3", URI.create("https://127.0.0.1:" + free), clientSsl, Duration.ofSeconds(2)));
        Problem p = switcher.move(List.of(mv("gw3", "p1", 1, 2)), ctx).failure().orElseThrow();
        assertEquals("gw3", p.device());
        assertTrue(p.cause().contains("unreachable at https://127.0.0.1:" + free + ": connection refused"), p.cause());
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefusedByTls() throws Exception {
        char[] pw = TestPki.PASS.toCharArray();
        SSLContext rogue = MutualTls.sslContext(pki.store("rogue"), pw, pki.store("truststore"), pw);
        clients.put("gw1", new GatewayClient("gw1", URI.create(gw1.url()), rogue, Duration.ofSeconds(5)));
        Problem p = switcher.readVlans(List.of(new AccessPort("gw1", "p1"))).failure().orElseThrow();
        assertEquals("gw1", p.device());
        assertTrue(p.cause().startsWith("TLS refused with " + gw1.url()), p.cause());
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedByTls() throws Exception {
        char[] pw = TestPki.PASS.toCharArray();
        // trust only the rogue's own certificate: the gateway's certificate is not trusted
        SSLContext wrongTrust = MutualTls.sslContext(pki.store("client"), pw, pki.store("rogue"), pw);
        clients.put("gw1", new GatewayClient("gw1", URI.create(gw1.url()), wrongTrust, Duration.ofSeconds(5)));
        String c = cause(switcher.readVlans(List.of(new AccessPort("gw1", "p1"))));
        assertTrue(c.startsWith("TLS refused with " + gw1.url()), c);
    }

    @Test
    void aDaemonWithoutTheGatewayRoleSaysSo() throws Exception {
        try (GatewayTestServer plain = new GatewayTestServer("srv", serverSsl, false)) {
            clients.put("gw1", new GatewayClient("gw1", URI.create(plain.url()), clientSsl, Duration.ofSeconds(5)));
            String c = cause(switcher.readVlans(List.of(new AccessPort("gw1", "p1"))));
            assertTrue(c.contains("has no gateway role"), c);
        }
    }

    @Test
    void unconfiguredGatewayAndDuplicatePorts() {
        assertEquals("no gateway named gw9 (configure net.sessionmigration.vlan.netlink.gateway with name=gw9)",
                cause(switcher.move(List.of(mv("gw9", "p1", 1, 2)), ctx)));
        assertEquals("port p1 is listed twice in one batch",
                cause(switcher.move(List.of(mv("gw1", "p1", 1, 2), mv("gw1", "p1", 1, 2)), ctx)));
    }

    @Test
    void preflightReportsEveryProblemAndTheRoundTrip() {
        gw2.vlans.put("p2", 2);
        gw2.existing.remove(2);
        Preflight pf = switcher.preflight(List.of(mv("gw1", "p1", 1, 2), mv("gw2", "p2", 1, 2), mv("gw2", "p9", 1, 2)))
                .orElseThrow();
        assertFalse(pf.go());
        List<String> causes = pf.problems().stream().map(Problem::toString).toList();
        assertTrue(causes.contains("gw2: port p2 is on VLAN 2, the plan expects VLAN 1"), causes.toString());
        assertTrue(causes.contains("gw2: port p9 does not exist on the gateway"), causes.toString());
        assertTrue(causes.contains("gw2: VLAN 2 does not exist on the gateway (bridge br-v2 is missing)"), causes.toString());
        assertTrue(pf.notes().get(0).startsWith("gw1: bridge-per-vlan"), pf.notes().toString());
        assertTrue(pf.notes().get(0).contains("round trip"), pf.notes().toString());
        assertTrue(pf.expectedDuration().toNanos() > 0);
        assertTrue(switcher.preflight(List.of(mv("gw1", "p1", 1, 2))).orElseThrow().go());
    }

    @Test
    void restorePutsBackOnlyWhatMoved() {
        gw1.vlans.put("p1", 2);
        Result<OpReport> r = switcher.restore(List.of(mv("gw1", "p1", 1, 2), mv("gw1", "p2", 1, 2)), ctx);
        assertTrue(r.isOk(), () -> r.failure().toString());
        assertEquals(1, gw1.vlans.get("p1"));
        assertEquals(1, gw1.vlans.get("p2"));
        assertTrue(ops.stream().anyMatch(o -> o.contains("move ×1")), ops.toString());
        assertTrue(switcher.restore(List.of(mv("gw1", "p1", 1, 2)), ctx).orElseThrow().summary().contains("already"));
    }
}
