package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
        Map<String, Object> r = gw.move(moves(mv("p1", 1, 2), mv("p2", 1, 2)));
        assertEquals(true, r.get("ok"));
        assertEquals(List.of("p1", "p2"), r.get("moved"));
        assertEquals(2, kernel.vlans.get("p1"));
        assertEquals(2, kernel.vlans.get("p2"));
        assertEquals(Map.of("p1", 2, "p3", 1), gw.vlans(new GatewayRequest(List.of("p1", "p3"), null, null)).get("vlans"));
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
        assertEquals(List.of("p1"), f.body().get("putBack"));
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
    void portInNoVlanIsRefused() {
        kernel.vlans.put("eth9", 0);
        GatewayFailure f = assertThrows(GatewayFailure.class, () -> gw.vlans(new GatewayRequest(List.of("eth9"), null, null)));
        assertEquals("not-in-vlan", f.kind());
    }

    @Test
    void preflightListsEveryProblem() throws Exception {
        kernel.vlans.put("p2", 2);
        Map<String, Object> r = gw.preflight(moves(mv("p1", 1, 2), mv("p2", 1, 2), mv("p9", 1, 2), mv("p3", 1, 9)));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> problems = (List<Map<String, Object>>) r.get("problems");
        assertEquals(List.of("wrong-vlan", "port-unknown", "vlan-missing"),
                problems.stream().map(p -> p.get("kind")).toList());
        assertTrue(((Number) r.get("lookup_us")).longValue() >= 0);
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
