package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import net.sessionmigration.daemon.protocol.GatewayMoveAnswer;
import net.sessionmigration.daemon.protocol.GatewayPreflightAnswer;
import net.sessionmigration.daemon.protocol.GatewayRequest;

/** Batch, verify and put-back of the gateway role against an in-memory kernel. */
class GatewayServiceTest {
    private final FakeGatewayKernel kernel = new FakeGatewayKernel("p1", "p2", "p3");
    private final GatewayService gw = new GatewayService("gw", kernel);

    private static GatewayRequest moves(GatewayRequest.Move... m) {
        return new GatewayRequest(null, List.of(m), null);
    }

    private static GatewayRequest.Move mv(String port, int from, int to) {
        return new GatewayRequest.Move(port, from, to);
    }

    @Test
    void movesABatchAndVerifies() throws Exception {
        GatewayMoveAnswer r = gw.move(moves(mv("p1", 1, 2), mv("p2", 1, 2)));
        assertEquals(true, r.ok());
        assertEquals(List.of("p1", "p2"), r.moved());
        assertEquals(2, kernel.vlans.get("p1"));
        assertEquals(2, kernel.vlans.get("p2"));
        assertEquals(Map.of("p1", 2, "p3", 1), gw.vlans(GatewayRequest.vlans(List.of("p1", "p3"))).vlans());
    }

    @Test
    void aFailedPortPutsBackTheOnesAlreadyMoved() {
        kernel.failing.add("p2");
        GatewayFailure f = assertThrows(GatewayFailure.class, () -> gw.move(moves(mv("p1", 1, 2), mv("p2", 1, 2), mv("p3", 1, 2))));
        assertEquals("kernel", f.kind());
        assertEquals("p2", f.port());
        assertTrue(f.getMessage().contains("EPERM"), f.getMessage());
        assertTrue(f.getMessage().contains("put back 1 port(s) already moved [p1]"), f.getMessage());
        assertEquals(Map.of("p1", 1, "p2", 1, "p3", 1), kernel.vlans);
        assertEquals(List.of("p1:1->2", "p2:1->2", "p1:2->1"), kernel.log);
        assertEquals(List.of("p1"), f.body().putBack());
    }

    @Test
    void aPortThatDoesNotMoveIsCaughtByTheVerifyAndTheOthersGoBack() {
        kernel.silentlyIgnored.add("p2");
        GatewayFailure f = assertThrows(GatewayFailure.class, () -> gw.move(moves(mv("p1", 1, 2), mv("p2", 1, 2))));
        assertEquals("verify", f.kind());
        assertEquals("p2", f.port());
        assertTrue(f.getMessage().contains("read back VLAN 1"), f.getMessage());
        assertEquals(1, kernel.vlans.get("p1"));
    }

    @Test
    void unknownPortOrMissingVlanMovesNothing() {
        GatewayFailure unknown = assertThrows(GatewayFailure.class, () -> gw.move(moves(mv("p1", 1, 2), mv("p9", 1, 2))));
        assertEquals("port-unknown", unknown.kind());
        assertEquals("port p9 does not exist on the gateway", unknown.getMessage());
        GatewayFailure vlan = assertThrows(GatewayFailure.class, () -> gw.move(moves(mv("p1", 1, 7))));
        assertEquals("vlan-missing", vlan.kind());
        assertTrue(vlan.getMessage().contains("VLAN 7 does not exist on the gateway (bridge br-v7 is missing)"),
                vlan.getMessage());
        assertTrue(kernel.log.isEmpty());
    }

    @Test
    void aPortNotOnItsFromVlanMovesNothing() {
        kernel.vlans.put("p2", 3); // another tenant's VLAN since the preflight
        GatewayFailure f = assertThrows(GatewayFailure.class, () -> gw.move(moves(mv("p1", 1, 2), mv("p2", 1, 2))));
        assertEquals("wrong-vlan", f.kind());
        assertEquals("port p2 is on VLAN 3, the plan expects VLAN 1; nothing was moved", f.getMessage());
        assertTrue(kernel.log.isEmpty(), kernel.log::toString);
        assertEquals(3, kernel.vlans.get("p2"));
    }

    @Test
    void portInNoVlanIsRefused() {
        kernel.vlans.put("eth9", 0);
        GatewayFailure f = assertThrows(GatewayFailure.class, () -> gw.vlans(GatewayRequest.vlans(List.of("eth9"))));
        assertEquals("not-in-vlan", f.kind());
    }

    @Test
    void preflightListsEveryProblem() throws Exception {
        kernel.vlans.put("p2", 2);
        GatewayPreflightAnswer r = gw.preflight(moves(mv("p1", 1, 2), mv("p2", 1, 2), mv("p9", 1, 2), mv("p3", 1, 9)));
        assertEquals(List.of("wrong-vlan", "port-unknown", "vlan-missing"),
                r.problems().stream().map(GatewayPreflightAnswer.Problem::kind).toList());
        assertTrue(r.lookupUs() >= 0);
    }

    @Test
    void badRequestsAreRefusedBeforeTheKernel() {
        assertThrows(RequestNames.BadRequest.class, () -> gw.move(moves(mv("p1", 1, 0))));
        assertThrows(RequestNames.BadRequest.class, () -> gw.move(moves(mv("p1;rm", 1, 2))));
        assertThrows(RequestNames.BadRequest.class, () -> gw.move(moves(mv("averyveryverylongname", 1, 2))));
        assertThrows(RequestNames.BadRequest.class, () -> gw.move(moves(mv("p1", 1, 2), mv("p1", 1, 2))));
        assertThrows(RequestNames.BadRequest.class, () -> gw.move(new GatewayRequest(null, List.of(), null)));
        assertTrue(kernel.log.isEmpty());
    }
}
