package net.sessionmigration.vlan.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import net.sessionmigration.driverkit.RecordingContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * Against the lab's Linux gateway (sm-gw, bridge per VLAN) through the real gateway daemon
 * (lab/daemons/daemons start gw) over mTLS; run as root by mvn verify. Gateway user gu1's port
 * is moved and put back by the restore; every test leaves it on VLAN 1 (the lab's initial VLAN).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayLabIT {
    private static final VlanId MAIN = VlanId.of(1);
    private static final VlanId BACKUP = VlanId.of(2);

    private static LabGateway lab;
    private static String userNs;
    private static String port;
    private final Map<String, GatewayClient> clients = new HashMap<>();
    private NetlinkGatewaySwitcher switcher;
    private final RecordingContext ctx = new RecordingContext("it");
    private final List<String> ops = ctx.operations();

    @BeforeAll
    static void labUp() throws Exception {
        lab = LabGateway.open();
        Map<String, String> gu1 = lab.user("gu1");
        userNs = gu1.get("ns");
        port = gu1.get("interface");
    }

    @AfterAll
    static void labAsFound() throws Exception {
        if (lab != null) {
            try {
                LabGateway.run(List.of("ip", "-n", lab.ns(), "link", "set", port, "master", "br-v1"), 10);
            } finally {
                lab.close();
            }
        }
    }

    @BeforeEach
    void driver() throws Exception {
        clients.put("gw", lab.client("gw", lab.url()));
        switcher = lab.switcher(clients);
        assertEquals("br-v1", lab.masterOf(port), "gu1's port must start on VLAN 1 (lab/lab status)");
    }

    @AfterEach
    void putBack() throws Exception {
        switcher.restore(List.of(gu1(MAIN, BACKUP)), ctx);
        switcher.close();
        assertEquals("br-v1", lab.masterOf(port));
    }

    private static PortMove gu1(VlanId from, VlanId to) {
        return new PortMove("gu1", new AccessPort("gw", port), from, to);
    }

    @Test
    @Order(1)
    void gatewayUserFollowsTheMoveToTheBackupSite() throws Exception {
        // v at both sites (as in REPLICATE), a streaming server at each: the VLAN decides which one gu1 reaches
        if (!lab.workloadRuns("main")) {
            lab.lab(List.of("workload", "start", "main"), List.of("workload", "stop", "main"));
        }
        if (!lab.vipAt("backup")) {
            lab.lab(List.of("vip", "add", "backup"), List.of("vip", "del", "backup"));
        }
        if (!lab.workloadRuns("backup")) {
            lab.lab(List.of("workload", "start", "backup"), List.of("workload", "stop", "backup"));
        }
        assertEquals("main", lab.siteOfV(userNs), "before: gu1 reaches v at the main site");
        assertEquals(Map.of(new AccessPort("gw", port), MAIN), switcher.readVlans(List.of(new AccessPort("gw", port)))
                .orElseThrow());
        Preflight pf = switcher.preflight(List.of(gu1(MAIN, BACKUP))).orElseThrow();
        assertTrue(pf.go(), pf.problems().toString());

        Result<OpReport> r = switcher.move(List.of(gu1(MAIN, BACKUP)), ctx);
        assertTrue(r.isOk(), () -> r.failure().toString());
        System.out.println("GatewayLabIT: " + r.orElseThrow().summary() + " " + r.orElseThrow().measurements() + " " + ops);
        assertEquals("br-v2", lab.masterOf(port));
        assertEquals(BACKUP, switcher.readVlans(List.of(new AccessPort("gw", port))).orElseThrow().values().iterator().next());
        assertEquals("backup", lab.siteOfV(userNs), "after: gu1 reaches v at the backup site");
        Result<OpReport> again = switcher.move(List.of(gu1(MAIN, BACKUP)), ctx);
        assertTrue(again.isOk() && again.orElseThrow().summary().contains("1 of them already on their target VLAN"),
                again::toString);
        assertEquals("br-v2", lab.masterOf(port));

        Result<OpReport> back = switcher.restore(List.of(gu1(MAIN, BACKUP)), ctx);
        assertTrue(back.isOk(), () -> back.failure().toString());
        assertEquals("br-v1", lab.masterOf(port));
        assertEquals("main", lab.siteOfV(userNs), "restored: gu1 reaches v at the main site again");
        Result<OpReport> twice = switcher.restore(List.of(gu1(MAIN, BACKUP)), ctx);
        assertTrue(twice.isOk() && twice.orElseThrow().summary().startsWith("no port to put back"), twice::toString);
        assertEquals("br-v1", lab.masterOf(port));
    }

    @Test
    @Order(2)
    void aBatchWithABadPortMovesNothing() throws Exception {
        Result<OpReport> r = switcher.move(List.of(gu1(MAIN, BACKUP),
                new PortMove("ghost", new AccessPort("gw", "p99"), MAIN, BACKUP)), ctx);
        assertEquals(new Problem("gw", "port p99 does not exist on the gateway"), r.failure().orElseThrow());
        assertEquals("br-v1", lab.masterOf(port));
    }

    @Test
    @Order(3)
    void aBatchWhoseOtherGatewayFailsLeavesItsPortMovedForTheRestore() throws Exception {
        // a second gateway that does not answer: gw's port is moved on the real kernel and stays moved;
        // the restore (the coordinator's undo) puts it back, also while gw-down still does not answer
        clients.put("gw-down", lab.client("gw-down", "https://127.0.0.1:1"));
        List<PortMove> moves = List.of(gu1(MAIN, BACKUP), new PortMove("other", new AccessPort("gw-down", "p1"), MAIN, BACKUP));
        Problem p = switcher.move(moves, ctx).failure().orElseThrow();
        assertEquals("gw-down", p.device());
        assertTrue(p.cause().contains("unreachable at https://127.0.0.1:1: connection refused"), p.cause());
        assertTrue(p.cause().endsWith("; 1 port(s) moved before the failure [gw/" + port + "], the coordinator's restore"
                + " puts them back"), p.cause());
        assertEquals("br-v2", lab.masterOf(port), "the driver put nothing back");

        Problem restore = switcher.restore(moves, ctx).failure().orElseThrow();
        assertEquals("gw-down", restore.device());
        assertTrue(restore.cause().endsWith("; on the other gateways: put back 1 port(s) [gw/" + port + "], verified"),
                restore.cause());
        assertTrue(ops.stream().anyMatch(o -> o.startsWith("gw POST /gateway/v1/move ×1 [" + port + "→1] (restore)")
                && o.endsWith("ok")), ops.toString());
        assertEquals("br-v1", lab.masterOf(port));
    }

    @Test
    @Order(4)
    void anUnknownVlanIsAClearError() throws Exception {
        Result<OpReport> r = switcher.move(List.of(gu1(MAIN, VlanId.of(7))), ctx);
        assertEquals(new Problem("gw", "VLAN 7 does not exist on the gateway (bridge br-v7 is missing); nothing was moved"),
                r.failure().orElseThrow());
        Preflight pf = switcher.preflight(List.of(gu1(MAIN, VlanId.of(7)))).orElseThrow();
        assertEquals(List.of(new Problem("gw", "VLAN 7 does not exist on the gateway (bridge br-v7 is missing)")),
                pf.problems());
        assertEquals("br-v1", lab.masterOf(port));
    }

    @Test
    @Order(5)
    void aRequestWithoutAClientCertificateIsRefused() throws Exception {
        char[] pw = Files.readString(LabGateway.PKI.resolve("store.pass")).strip().toCharArray();
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(LabGateway.PKI.resolve("truststore.p12"))) {
            ts.load(in, pw);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext noCert = SSLContext.getInstance("TLSv1.3");
        noCert.init(null, tmf.getTrustManagers(), null);
        HttpClient http = HttpClient.newBuilder().sslContext(noCert).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(lab.url() + "/gateway/v1/move"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"moves\":[{\"port\":\"" + port + "\",\"from\":1,\"to\":2}]}"))
                .build();
        assertThrows(IOException.class, () -> http.send(req, HttpResponse.BodyHandlers.ofString()));
        assertEquals("br-v1", lab.masterOf(port));
        // and through the driver, a client certificate the daemons' CA did not sign is named as a TLS refusal
        GatewayClient rogue = new GatewayClient("gw", URI.create(lab.url()), noCert, Duration.ofSeconds(5));
        clients.put("gw", rogue);
        String cause = switcher.readVlans(List.of(new AccessPort("gw", port))).failure().orElseThrow().cause();
        assertTrue(cause.startsWith("TLS refused with " + lab.url()), cause);
    }
}
