package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import net.sessionmigration.driverkit.RecordingContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.vlan.qbridge.DeviceProfile.PortIndex;
import net.sessionmigration.vlan.qbridge.DeviceProfile.SetMode;
import net.sessionmigration.vlan.qbridge.DeviceProfile.SetOrder;
import net.sessionmigration.vlan.qbridge.DeviceProfile.Style;

/**
 * The Q-BRIDGE vendor differences (device settings set.mode, set.order, port.index) against real
 * Net-SNMP snmpd and lab/tools/qbridge-agent switches that behave that way, each a {@link PrivateSwitch}
 * of this test's own (root; not the shared lab), 6 ports, bridges br-v1..br-v3, SNMPv3 SHA-256/AES-256
 * users made up by the test:
 * <ul>
 * <li>{@code sm-quirk-fv} ({@value #FV_ADDR}:1161): {@code --first-varbind-only}, a switch that applies
 * only the first value of each SET PDU and answers noError for all;</li>
 * <li>{@code sm-quirk-ix} ({@value #IX_ADDR}:1161): {@code --if-index-base 2}, ifIndex of pP = 2+P (so
 * ifIndex 3 is p1 while dot1dBasePort 3 is p3: confusing them moves another port).</li>
 * </ul>
 * Every check of a move reads the KERNEL (the bridge pN is enslaved to).
 */
class VendorQuirksLabIT {
    static final String FV_ADDR = "10.205.0.2";
    static final String IX_ADDR = "10.205.0.6";
    static final int PORTS = 6;
    static final VlanId V1 = VlanId.of(1);
    static final VlanId V2 = VlanId.of(2);

    static final PrivateSwitch FV = new PrivateSwitch(System.getProperty("quirk.it.ns.fv", "sm-quirk-fv"), "vquirk-fv",
            "10.205.0.1", FV_ADDR, 1161, PORTS, 3, Path.of("target", "quirk-it-fv"));
    static final PrivateSwitch IX = new PrivateSwitch(System.getProperty("quirk.it.ns.ix", "sm-quirk-ix"), "vquirk-ix",
            "10.205.0.5", IX_ADDR, 1161, PORTS, 3, Path.of("target", "quirk-it-ix"));
    private static SnmpCredential fvUser;
    private static SnmpCredential ixUser;

    private final Map<String, DeviceProfile> devices = new HashMap<>();
    private QBridgeSwitcher switcher;
    private final RecordingContext context = new RecordingContext("quirk-it");
    private final List<String> operations = context.operations();

    @BeforeAll
    static void buildSwitches() throws Exception {
        fvUser = LabSupport.madeUpUser("quirk-fv", "quirkfv", SnmpCredential.AuthProtocol.SHA256,
                SnmpCredential.PrivProtocol.AES256);
        ixUser = LabSupport.madeUpUser("quirk-ix", "quirkix", SnmpCredential.AuthProtocol.SHA256,
                SnmpCredential.PrivProtocol.AES256);
        FV.up(conf("quirk-fv", fvUser, FV.agent("--first-varbind-only")), fvUser, Style.PVID);
        IX.up(conf("quirk-ix", ixUser, IX.agent("--if-index-base", "2")), ixUser, Style.PVID);
    }

    private static List<String> conf(String sysName, SnmpCredential user, String agent) {
        return new ArrayList<>(List.of("sysName " + sysName,
                "sysDescr session-migration VendorQuirksLabIT switch (Net-SNMP + " + agent.substring(agent.indexOf(
                        "qbridge-agent")).replaceAll(" --log .*", "") + ")",
                PrivateSwitch.createUser(user), "rwuser " + user.user() + " priv",
                "pass_persist .1.3.6.1.2.1.17 " + agent));
    }

    @AfterAll
    static void tearDownSwitches() throws Exception {
        try {
            FV.down();
        } finally {
            IX.down();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        devices.put("fv", FV.profile("fv", "quirk-fv", Style.PVID));
        devices.put("fv1", FV.profile("fv1", "quirk-fv", Style.PVID).withSets(SetMode.ONE_PER_PDU, SetOrder.PVID_FIRST));
        devices.put("ix", IX.profile("ix", "quirk-ix", Style.PVID).withPortIndex(PortIndex.IF_INDEX)
                .withPortMap(Map.of("ge-0/0/1", 3, "ge-0/0/2", 4)));
        switcher = new QBridgeSwitcher(QBridgeLabIT.profiles(devices, Map.of("quirk-fv", fvUser, "quirk-ix", ixUser)));
        for (PrivateSwitch sw : List.of(FV, IX)) {
            for (int p = 1; p <= PORTS; p++) {
                assertEquals("br-v1", sw.master(p), sw.ns + " p" + p + " before the test");
            }
        }
    }

    @AfterEach
    void putPortsBack() throws Exception {
        switcher.close();
        for (PrivateSwitch sw : List.of(FV, IX)) {
            if (sw.running()) {
                sw.allPortsToVlan1();
            }
        }
    }

    static PortMove move(String device, String port, VlanId from, VlanId to) {
        return new PortMove("u-" + port, new AccessPort(device, port), from, to);
    }

    private long ignoredSets() throws Exception {
        return FV.agentLogText().lines().filter(l -> l.contains("ignored (first varbind only)")).count();
    }

    // ------------------------------------------------------------------ set.mode

    /**
     * (a) The default batch SET on a switch that applies only the first varbind: the switch answers
     * noError, only port 1 moves, and the driver's read-back catches the two others: a failure naming
     * them, port 1 reported moved (no silent success); the restore puts port 1 back.
     */
    @Test
    void batchOnAFirstVarbindOnlySwitchIsCaughtByTheReadBack() throws Exception {
        long ignoredBefore = ignoredSets();
        List<PortMove> moves = List.of(move("fv", "1", V1, V2), move("fv", "2", V1, V2), move("fv", "3", V1, V2));
        Result<OpReport> moved = switcher.move(moves, context);
        Problem p = moved.failure().orElseThrow(() -> new AssertionError("a silent success: " + moved));
        assertEquals("fv", p.device());
        assertTrue(p.cause().contains("fv: port 2: read back VLAN 1 after the SET, expected 2")
                && p.cause().contains("fv: port 3: read back VLAN 1 after the SET, expected 2"), p::toString);
        assertTrue(p.cause().endsWith("; 1 port(s) moved before the failure [fv/1], the coordinator's restore puts them"
                + " back"), p::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("SET dot1qPvid ×3 [1→2, 2→2, 3→2]") && o.endsWith("ok")),
                "the switch answered noError: " + operations);
        assertEquals("br-v2", FV.master(1));
        assertEquals("br-v1", FV.master(2), "the switch ignored the second value");
        assertEquals("br-v1", FV.master(3), "the switch ignored the third value");
        assertEquals(ignoredBefore + 2, ignoredSets(), FV.agentLogText());

        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertTrue(restored.summary().startsWith("put back 1 port(s) [fv/1], verified; 2 port(s) already on their"
                + " original VLAN"), restored::summary);
        for (int port = 1; port <= 3; port++) {
            assertEquals("br-v1", FV.master(port), "p" + port + " after the restore");
        }
    }

    /** (b) set.mode one-per-pdu on the same switch: every port moves, one SET each; restore the same way. */
    @Test
    void onePerPduMovesEveryPortOnAFirstVarbindOnlySwitch() throws Exception {
        long ignoredBefore = ignoredSets();
        List<PortMove> moves = List.of(move("fv1", "1", V1, V2), move("fv1", "2", V1, V2), move("fv1", "3", V1, V2));
        Preflight pre = switcher.preflight(moves).orElseThrow();
        assertTrue(pre.go(), pre::toString);
        assertTrue(pre.notes().get(0).contains("style pvid, set.mode one-per-pdu") && pre.notes().get(0).contains(
                "3 port(s) in 3 SET PDU(s)"), pre::toString);
        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow());
        assertTrue(moved.orElseThrow().summary().startsWith("moved 3 port(s) on 1 switch(es) in 3 SET PDU(s), verified"),
                moved.orElseThrow()::summary);
        for (int port = 1; port <= 3; port++) {
            assertEquals("br-v2", FV.master(port), "p" + port + " after the move");
        }
        assertEquals("br-v1", FV.master(4), "a port not in the plan stays");
        assertEquals(3, operations.stream().filter(o -> o.contains(" SET dot1qPvid ×1 [")).count(), operations::toString);
        assertEquals(ignoredBefore, ignoredSets(), "nothing for the switch to ignore");

        operations.clear();
        OpReport again = switcher.move(moves, context).orElseThrow();
        assertTrue(again.summary().contains("3 of them already on their target VLAN"), again::summary);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);

        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertTrue(restored.summary().startsWith("put back 3 port(s) [fv1/1, fv1/2, fv1/3], verified"),
                restored::summary);
        assertEquals("3", restored.measurements().get("set_pdus"));
        for (int port = 1; port <= 3; port++) {
            assertEquals("br-v1", FV.master(port), "p" + port + " after the restore");
        }
    }

    @Test
    void onePerPduPvidStaticMembershipFirstMovesEveryPortAndNeverLeavesOneInNoVlan() throws Exception {
        onePerPduPvidStatic(SetOrder.MEMBERSHIP_FIRST, "dot1qVlanStaticEgressPorts.2 for port 4");
    }

    @Test
    void onePerPduPvidStaticPvidFirstMovesEveryPortAndNeverLeavesOneInNoVlan() throws Exception {
        onePerPduPvidStatic(SetOrder.PVID_FIRST, "dot1qPvid ×1 [4→2]");
    }

    private void onePerPduPvidStatic(SetOrder order, String firstSet) throws Exception {
        devices.put("fvs", FV.profile("fvs", "quirk-fv", Style.PVID_STATIC).withSets(SetMode.ONE_PER_PDU, order));
        long ignoredBefore = ignoredSets();
        long noVlanBefore = FV.agentLogText().lines().filter(l -> l.contains("now in no VLAN")).count();
        List<PortMove> moves = List.of(move("fvs", "4", V1, V2), move("fvs", "5", V1, V2));
        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow());
        assertTrue(moved.orElseThrow().summary().startsWith("moved 2 port(s) on 1 switch(es) in 10 SET PDU(s), verified"),
                moved.orElseThrow()::summary);
        List<String> sets = operations.stream().filter(o -> o.startsWith("fvs SET ")).toList();
        assertEquals(10, sets.size(), operations::toString);
        assertTrue(sets.get(0).startsWith("fvs SET " + firstSet), sets::toString);
        assertTrue(sets.get(3).startsWith("fvs SET dot1qVlanStaticUntaggedPorts.1 for port 4")
                && sets.get(4).startsWith("fvs SET dot1qVlanStaticEgressPorts.1 for port 4"), "leaving last: " + sets);
        assertEquals("br-v2", FV.master(4));
        assertEquals("br-v2", FV.master(5));
        for (int port : new int[] {1, 2, 3, 6}) {
            assertEquals("br-v1", FV.master(port), "p" + port + " stays on VLAN 1 (the PortLists keep it)");
        }
        assertEquals(ignoredBefore, ignoredSets());
        assertEquals(noVlanBefore, FV.agentLogText().lines().filter(l -> l.contains("now in no VLAN")).count(),
                "no port was ever in no VLAN: " + FV.agentLogText());

        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertTrue(restored.summary().startsWith("put back 2 port(s) [fvs/4, fvs/5], verified"), restored::summary);
        for (int port = 1; port <= PORTS; port++) {
            assertEquals("br-v1", FV.master(port), "p" + port + " after the restore");
        }
        assertEquals(noVlanBefore, FV.agentLogText().lines().filter(l -> l.contains("now in no VLAN")).count());
    }

    /** A failure in the middle of one-per-pdu SETs stops there and reports which ports moved. */
    @Test
    void onePerPduStopsAtTheFirstRefusedSetAndReportsWhatMoved() throws Exception {
        List<PortMove> moves = List.of(move("fv1", "1", V1, V2), move("fv1", "2", V1, VlanId.of(4)),
                move("fv1", "3", V1, V2));
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertEquals("fv1", p.device());
        assertTrue(p.cause().contains("port 2 (dot1qPvid.2 = 4): wrongValue"), p::toString);
        assertTrue(p.cause().endsWith("; 1 port(s) moved before the failure [fv1/1], the coordinator's restore puts them"
                + " back"), p::toString);
        assertEquals(2, operations.stream().filter(o -> o.startsWith("fv1 SET ")).count(), "stopped: " + operations);
        assertEquals("br-v2", FV.master(1));
        assertEquals("br-v1", FV.master(2));
        assertEquals("br-v1", FV.master(3), "not set after the failure");
        assertTrue(switcher.restore(moves, context).isOk());
        assertEquals("br-v1", FV.master(1));
    }

    // ------------------------------------------------------------------ port.index = ifIndex

    /**
     * (c) port.index = ifIndex: port.map gives ifIndexes 3 and 4, which are p1 and p2 (while dot1dBasePort 3
     * and 4 are p3 and p4); a plan port number is an ifIndex too. dot1dBasePortIfIndex is walked once per
     * session.
     */
    @Test
    void ifIndexPortsMoveTheRightBridgePorts() throws Exception {
        List<PortMove> moves = List.of(move("ix", "ge-0/0/1", V1, V2), move("ix", "ge-0/0/2", V1, V2),
                move("ix", "7", V1, V2));
        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow());
        assertEquals("br-v2", IX.master(1), "ifIndex 3 is p1");
        assertEquals("br-v2", IX.master(2), "ifIndex 4 is p2");
        assertEquals("br-v2", IX.master(5), "ifIndex 7 is p5");
        assertEquals("br-v1", IX.master(3), "dot1dBasePort 3 is not the plan's");
        assertEquals("br-v1", IX.master(4));
        assertEquals("br-v1", IX.master(6));
        assertTrue(operations.stream().anyMatch(o -> o.contains("SET dot1qPvid ×3 [ge-0/0/1→2, ge-0/0/2→2, 7→2]")
                && o.endsWith("ok")), operations::toString);
        Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(V2, now.get(m.port()), m.port() + " read back"));

        IX.ipn("link", "set", "p3", "master", "br-v3"); // dot1dBasePort 3 elsewhere: not the plan's port
        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertTrue(restored.summary().startsWith("put back 3 port(s) [ix/ge-0/0/1, ix/ge-0/0/2, ix/7], verified"),
                restored::summary);
        assertEquals("br-v1", IX.master(1));
        assertEquals("br-v1", IX.master(2));
        assertEquals("br-v1", IX.master(5));
        assertEquals("br-v3", IX.master(3), "untouched");
        assertEquals(1, operations.stream().filter(o -> o.contains("GETBULK dot1dBasePortIfIndex")).count(),
                "one walk per session: " + operations);
        assertTrue(operations.stream().anyMatch(o -> o.startsWith("ix GETBULK dot1dBasePortIfIndex from the start ×60")),
                operations::toString);

        Preflight pre = switcher.preflight(moves).orElseThrow();
        assertTrue(pre.go(), pre::toString);
        assertTrue(pre.notes().get(0).contains("style pvid, port.index ifIndex"), pre::toString);
    }

    @Test
    void anIfIndexThatIsNoBridgePortIsNamedAndNothingIsSet() throws Exception {
        devices.put("ix9", IX.profile("ix9", "quirk-ix", Style.PVID_STATIC).withPortIndex(PortIndex.IF_INDEX)
                .withPortMap(Map.of("ge-0/0/1", 3, "ge-0/0/9", 99)));
        List<PortMove> moves = List.of(move("ix9", "ge-0/0/1", V1, V2), move("ix9", "ge-0/0/9", V1, V2));
        Preflight pre = switcher.preflight(moves).orElseThrow();
        assertFalse(pre.go());
        assertTrue(pre.problems().stream().anyMatch(p -> p.device().equals("ix9")
                && p.cause().contains("port ge-0/0/9 (ifIndex 99): ifIndex 99 is no bridge port of the switch")),
                pre::toString);
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertEquals("ix9", p.device());
        assertTrue(p.cause().contains("port ge-0/0/9 (ifIndex 99): ifIndex 99 is no bridge port of the switch"
                + " (dot1dBasePortIfIndex lists 6 port(s), ifIndex [3, 4, 5, 6, 7, 8])"), p::toString);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        for (int port = 1; port <= PORTS; port++) {
            assertEquals("br-v1", IX.master(port), "p" + port + ": nothing set");
        }
    }
}
