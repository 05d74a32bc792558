package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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

/**
 * Style cisco-vmvlan against a real Net-SNMP snmpd, on a private switch of its own (not the shared
 * lab; run as root): namespace {@value #DEFAULT_NS} (-Dcisco.it.ns=NAME for another) with bridges
 * br-v1, br-v2, br-v3 (VLAN 3: someone else's, for the ports taken behind the plan's back) and
 * ports p1..p4 (veth pairs whose peers stay inside), reached over a veth
 * {@value #HOST_IF} 10.203.0.1/30 ↔ ctl0 10.203.0.2/30, snmpd on udp:10.203.0.2:1161 with SNMPv3
 * authPriv (SHA-256/AES-256) users made up by this test, and lab/tools/qbridge-agent --profile cisco
 * behind two pass_persist roots (BRIDGE-MIB and Cisco's; the same agent also answers style pvid's
 * dot1qPvid, for the tests that run both styles). Every check of a move reads the
 * KERNEL: the master bridge of pN. Everything started here is stopped by its pid and the
 * namespace deleted in {@link #tearDownSwitch}, also when a test or the set-up failed (both by
 * {@link PrivateSwitch}, which {@link VendorQuirksLabIT} shares).
 * Note: the shared lab's 'lab down'/'lab up' deletes every sm-* namespace it finds; if another
 * job runs one meanwhile, this switch goes with it and the tests fail (run again).
 */
class CiscoLabIT {
    static final String DEFAULT_NS = "sm-cisco-it";
    static final String NS = System.getProperty("cisco.it.ns", DEFAULT_NS);
    /** Not smc-*: the shared lab's 'down' deletes those. */
    static final String HOST_IF = "vcisco-it";
    static final String HOST_ADDR = "10.203.0.1";
    static final String AGENT_ADDR = "10.203.0.2";
    static final int SNMP_PORT = 1161;
    static final int PORTS = 4;
    static final VlanId V1 = VlanId.of(1);
    static final VlanId V2 = VlanId.of(2);
    /** Exists on the switch, but is neither of the plan's VLANs. */
    static final VlanId V3 = VlanId.of(3);

    /** The switch: {@link PrivateSwitch} (namespace, bridges, ports, snmpd, teardown by pid). */
    static final PrivateSwitch SWITCH = new PrivateSwitch(NS, HOST_IF, HOST_ADDR, AGENT_ADDR, SNMP_PORT, PORTS, 3,
            Path.of("target", "cisco-it"));
    private static SnmpCredential rw;
    private static SnmpCredential ro;
    private static SnmpCredential vmOnly;

    private final Map<String, DeviceProfile> devices = new java.util.HashMap<>();
    private final Map<String, SnmpCredential> credentials = new java.util.HashMap<>();
    private QBridgeSwitcher switcher;
    private final RecordingContext context = new RecordingContext("cisco-it");
    private final List<String> operations = context.operations();
    private final List<String> progress = context.progress();

    // ------------------------------------------------------------------ the private switch

    @BeforeAll
    static void buildSwitch() throws Exception {
        rw = LabSupport.madeUpUser("it-rw", "itrw", SnmpCredential.AuthProtocol.SHA256, SnmpCredential.PrivProtocol.AES256);
        ro = LabSupport.madeUpUser("it-ro", "itro", SnmpCredential.AuthProtocol.SHA256, SnmpCredential.PrivProtocol.AES256);
        vmOnly = LabSupport.madeUpUser("it-vm", "itvm", SnmpCredential.AuthProtocol.SHA256,
                SnmpCredential.PrivProtocol.AES256);
        String agent = SWITCH.agent("--profile", "cisco");
        List<String> conf = new ArrayList<>(List.of(
                "sysName cisco-it",
                "sysDescr session-migration CiscoLabIT switch (Net-SNMP + qbridge-agent --profile cisco)",
                // a Catalyst 2960-X's sysObjectID (cisco.1.1208), as the LibreNMS recording has it
                "sysObjectID .1.3.6.1.4.1.9.1.1208"));
        for (SnmpCredential c : List.of(rw, ro, vmOnly)) {
            conf.add(PrivateSwitch.createUser(c));
        }
        conf.add("rwuser " + rw.user() + " priv");
        conf.add("rouser " + ro.user() + " priv");
        // itvm may write vmVlan only, not the ccCopyTable: its saveConfig is refused
        conf.addAll(List.of("view itall included .1", "view itvmvlan included .1.3.6.1.4.1.9.9.68",
                "group itvmgroup usm " + vmOnly.user(), "access itvmgroup \"\" usm priv exact itall itvmvlan none"));
        conf.add("pass_persist .1.3.6.1.2.1.17 " + agent);
        conf.add("pass_persist .1.3.6.1.4.1.9 " + agent);
        SWITCH.up(conf, rw, DeviceProfile.Style.CISCO_VMVLAN);
    }

    /**
     * Stops what this test started, by pid (snmpd from its pid file, then what still runs in the
     * namespace: the agents snmpd started), and deletes the namespace (and with it the veth).
     */
    @AfterAll
    static void tearDownSwitch() throws Exception {
        SWITCH.down();
    }

    // ------------------------------------------------------------------ helpers

    static DeviceProfile profile(String name, String credential) {
        return profile(name, credential, DeviceProfile.Style.CISCO_VMVLAN);
    }

    static DeviceProfile profile(String name, String credential, DeviceProfile.Style style) {
        return SWITCH.profile(name, credential, style);
    }

    @BeforeEach
    void setUp() throws Exception {
        credentials.putAll(Map.of("it-rw", rw, "it-ro", ro, "it-vm", vmOnly));
        devices.put("cisco", profile("cisco", "it-rw"));
        devices.put("qb", profile("qb", "it-rw", DeviceProfile.Style.PVID)); // the same switch, by dot1qPvid
        switcher = new QBridgeSwitcher(QBridgeLabIT.profiles(devices, credentials));
        for (int p = 1; p <= PORTS; p++) {
            assertEquals("br-v1", master(p), "p" + p + " before the test");
        }
    }

    @AfterEach
    void putPortsBack() throws Exception {
        switcher.close();
        if (SWITCH.running()) {
            SWITCH.allPortsToVlan1();
        }
    }

    /** The bridge port pN is enslaved to, as the kernel says. */
    static String master(int port) throws Exception {
        return SWITCH.master(port);
    }

    static int ifIndex(int port) throws Exception {
        return SWITCH.ifIndex(port);
    }

    static PortMove move(String device, String port, VlanId from, VlanId to) {
        return new PortMove("u-" + port, new AccessPort(device, port), from, to);
    }

    static String agentLog() throws IOException {
        return SWITCH.agentLogText();
    }

    private static void ipn(String... args) throws Exception {
        SWITCH.ipn(args);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void movesTwoPortsInTheKernelAndRestoresThem() throws Exception {
        List<PortMove> moves = List.of(move("cisco", "1", V1, V2), move("cisco", "2", V1, V2));
        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow());
        assertEquals("br-v2", master(1));
        assertEquals("br-v2", master(2));
        assertEquals("br-v1", master(3), "a port not in the plan stays");
        assertTrue(moved.orElseThrow().summary().startsWith("moved 2 port(s) on 1 switch(es) in 1 SET PDU(s), verified"),
                moved.orElseThrow()::summary);
        // ifIndex of the plan's dot1dBasePorts read once, the VLAN checked, one SET, verified with vmVlan
        assertEquals(1, operations.stream().filter(o -> o.contains("GET dot1dBasePortIfIndex ×2")).count(),
                operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("GET vtpVlanState of VLANs [2] (before SET)")),
                operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("SET vmVlan ×2 [1→2, 2→2]") && o.endsWith("ok")),
                operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("GET vmVlan ×2 (verify)")), operations::toString);
        Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(V2, now.get(m.port()), m.port() + " read back"));

        // repeated (forward recovery after a crash): both ports already moved, nothing is set again
        operations.clear();
        OpReport again = switcher.move(moves, context).orElseThrow();
        assertTrue(again.summary().contains("2 of them already on their target VLAN: not set again"), again::summary);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        assertEquals("br-v2", master(1));

        operations.clear();
        Result<OpReport> restored = switcher.restore(moves, context);
        assertTrue(restored.isOk(), () -> "restore failed: " + restored.failure().orElseThrow());
        assertTrue(restored.orElseThrow().summary().startsWith("put back 2 port(s) [cisco/1, cisco/2], verified"),
                restored.orElseThrow()::summary);
        assertEquals("br-v1", master(1));
        assertEquals("br-v1", master(2));
        assertFalse(operations.stream().anyMatch(o -> o.contains("dot1dBasePortIfIndex")), "once per session: "
                + operations);
        assertTrue(operations.stream().anyMatch(o -> o.contains("SET vmVlan ×2 [1→1, 2→1]") && o.endsWith("ok")),
                operations::toString);

        // restore twice is a no-op: it reads, finds both ports on VLAN 1 and sets nothing
        operations.clear();
        OpReport twice = switcher.restore(moves, context).orElseThrow();
        assertTrue(twice.summary().startsWith("no port to put back; 2 port(s) already on their original VLAN"),
                twice::summary);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        assertEquals("br-v1", master(1));
        assertEquals("br-v1", master(2));
    }

    @Test
    void portMapGivesTheIfIndexDirectly() throws Exception {
        int ifIndex = ifIndex(3);
        devices.put("cisco-map", profile("cisco-map", "it-rw").withPortMap(Map.of("Gi1/0/3", ifIndex)));
        List<PortMove> moves = List.of(move("cisco-map", "Gi1/0/3", V1, V2));
        Preflight pre = switcher.preflight(moves).orElseThrow();
        assertTrue(pre.go(), pre::toString);
        assertTrue(pre.notes().get(0).contains("style cisco-vmvlan") && pre.notes().get(0).contains("sysObjectID"),
                pre::toString);
        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow());
        assertEquals("br-v2", master(3));
        assertFalse(operations.stream().anyMatch(o -> o.contains("dot1dBasePortIfIndex")), operations::toString);
        assertTrue(switcher.restore(moves, context).isOk());
        assertEquals("br-v1", master(3));
    }

    @Test
    void preflightNamesTheMissingVlanAndTheMoveSetsNothing() throws Exception {
        List<PortMove> moves = List.of(move("cisco", "1", V1, VlanId.of(4)));
        Preflight pre = switcher.preflight(moves).orElseThrow();
        assertFalse(pre.go());
        Problem missing = pre.problems().stream().filter(p -> p.cause().contains("VLAN 4")).findFirst()
                .orElseThrow(() -> new AssertionError(pre.toString()));
        assertEquals("cisco", missing.device());
        assertEquals("VLAN 4 does not exist on switch cisco: vtpVlanState.1.4 = noSuchInstance", missing.cause());

        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertEquals("cisco", p.device());
        assertTrue(p.cause().contains("VLAN 4 does not exist on switch cisco") && p.cause().contains("nothing was set")
                && p.cause().endsWith("; no port moved"), p::toString);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        assertEquals("br-v1", master(1));
    }

    /**
     * [safety] The plan owns only ports on one of its two VLANs: a port moved behind the driver's back
     * to a third VLAN stops the SET on that switch, and the restore leaves it there.
     */
    @Test
    void aPortOnAThirdVlanIsRefusedBeforeTheSetAndLeftAloneByTheRestore() throws Exception {
        ipn("link", "set", "p2", "master", "br-v3");
        List<PortMove> moves = List.of(move("cisco", "1", V1, V2), move("cisco", "2", V1, V2));
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertEquals("cisco", p.device());
        assertTrue(p.cause().contains("port 2 (ifIndex " + ifIndex(2) + ") (user u-2) is on VLAN 3, the plan expects VLAN 1")
                && p.cause().contains("nothing was set") && p.cause().endsWith("; no port moved"), p::toString);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        assertEquals("br-v1", master(1), "port 1 was not moved");
        assertEquals("br-v3", master(2), "port 2 stays where it really is");

        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertTrue(restored.summary().contains("cisco/2 (user u-2) on VLAN 3"), restored::summary);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        assertEquals("br-v1", master(1));
        assertEquals("br-v3", master(2), "the restore leaves someone else's port alone");
    }

    /** Forward recovery: a port already on its target VLAN counts as moved, only the others are set. */
    @Test
    void aPortAlreadyOnItsTargetVlanIsNotSetAgain() throws Exception {
        ipn("link", "set", "p2", "master", "br-v2");
        List<PortMove> moves = List.of(move("cisco", "1", V1, V2), move("cisco", "2", V1, V2));
        OpReport moved = switcher.move(moves, context).orElseThrow();
        assertTrue(moved.summary().startsWith("moved 2 port(s) on 1 switch(es) in 1 SET PDU(s), verified (1 of them"),
                moved::summary);
        assertTrue(operations.stream().anyMatch(o -> o.contains("SET vmVlan ×1 [1→2]") && o.endsWith("ok")),
                operations::toString);
        assertEquals("br-v2", master(1));
        assertEquals("br-v2", master(2));
    }

    /** Both styles on the same switch: a port taken onto a third VLAN after the move stays there, named. */
    @Test
    void restoreLeavesAPortTakenOntoAThirdVlanAndNamesItCiscoVmVlan() throws Exception {
        restoreLeavesAPortTakenOntoAThirdVlanAndNamesIt("cisco", "vmVlan");
    }

    @Test
    void restoreLeavesAPortTakenOntoAThirdVlanAndNamesItPvid() throws Exception {
        restoreLeavesAPortTakenOntoAThirdVlanAndNamesIt("qb", "dot1qPvid");
    }

    private void restoreLeavesAPortTakenOntoAThirdVlanAndNamesIt(String device, String object) throws Exception {
        List<PortMove> moves = List.of(move(device, "1", V1, V2), move(device, "2", V1, V2), move(device, "3", V1, V2));
        assertTrue(switcher.move(moves, context).isOk());
        for (int port = 1; port <= 3; port++) {
            assertEquals("br-v2", master(port), "p" + port + " after the move");
        }
        ipn("link", "set", "p3", "master", "br-v3"); // someone else takes p3 after our move
        operations.clear();
        for (int attempt = 1; attempt <= 2; attempt++) {
            Result<OpReport> restored = switcher.restore(moves, context);
            assertTrue(restored.isOk(), () -> "a port taken by someone else is not a failure: " + restored.failure());
            String summary = restored.orElseThrow().summary();
            assertTrue(summary.contains("on another VLAN") && summary.contains(device + "/3 (user u-3) on VLAN 3"), summary);
            assertTrue(summary.startsWith(attempt == 1 ? "put back 2 port(s) [" + device + "/1, " + device + "/2], verified"
                    : "no port to put back; 2 port(s) already on their original VLAN"), summary);
            assertEquals("br-v1", master(1));
            assertEquals("br-v1", master(2));
            assertEquals("br-v3", master(3), "p3 stays on the VLAN someone else put it on");
        }
        assertEquals(1, operations.stream().filter(o -> o.contains(" SET ")).count(), "one SET, by the first restore: "
                + operations);
        assertTrue(operations.stream().anyMatch(o -> o.contains("SET " + object + " ×2 [1→1, 2→1]")), operations::toString);
    }

    /**
     * The second switch refuses its SET: the move reports it and the first switch's ports, which
     * moved and stay moved (the driver puts nothing back); the coordinator's restore puts them back.
     */
    @Test
    void aFailedMoveReportsWhatMovedAndTheRestorePutsItBack() throws Exception {
        devices.put("cisco-ro", profile("cisco-ro", "it-ro")); // the same agent, a read-only user
        List<PortMove> moves = List.of(move("cisco", "1", V1, V2), move("cisco", "2", V1, V2),
                move("cisco-ro", "3", V1, V2));
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertEquals("cisco-ro", p.device());
        assertTrue(p.cause().contains("port 3 (ifIndex " + ifIndex(3) + ") (vmVlan." + ifIndex(3) + " = 2)")
                && p.cause().contains("the switch refuses to write it"), p::toString);
        assertTrue(p.cause().endsWith("; 2 port(s) moved before the failure [cisco/1, cisco/2], the coordinator's"
                + " restore puts them back"), p::toString);
        assertTrue(operations.stream().anyMatch(o -> o.startsWith("cisco SET vmVlan ×2 [1→2, 2→2]") && o.endsWith("ok")),
                "the first switch really moved: " + operations);
        assertFalse(operations.stream().anyMatch(o -> o.contains("[1→1, 2→1]")), "the move put nothing back: " + operations);
        assertEquals("br-v2", master(1));
        assertEquals("br-v2", master(2));
        assertEquals("br-v1", master(3));

        operations.clear();
        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertTrue(restored.summary().startsWith("put back 2 port(s) [cisco/1, cisco/2], verified; 1 port(s) already on"
                + " their original VLAN"), restored::summary);
        assertFalse(operations.stream().anyMatch(o -> o.startsWith("cisco-ro SET")), "cisco-ro/3 never moved: "
                + operations);
        for (int port = 1; port <= 3; port++) {
            assertEquals("br-v1", master(port), "p" + port + " after the restore");
        }
        assertTrue(switcher.restore(moves, context).orElseThrow().summary().startsWith("no port to put back"));
    }

    @Test
    void saveConfigCopiesRunningToStartupAfterTheMoveAndAfterTheRestore() throws Exception {
        devices.put("cisco-save", profile("cisco-save", "it-rw").withSaveConfig(true));
        long before = agentLog().lines().filter(l -> l.contains("copy running-config startup-config")).count();
        List<PortMove> moves = List.of(move("cisco-save", "4", V1, V2));
        OpReport moved = switcher.move(moves, context).orElseThrow();
        assertEquals("br-v2", master(4));
        assertTrue(moved.summary().contains("; saved running-config to startup-config on [cisco-save]"), moved::summary);
        assertEquals("cisco-save", moved.measurements().get("config_saved"));
        assertTrue(operations.stream().anyMatch(o -> o.startsWith("cisco-save SET ccCopyTable.") && o.endsWith("ok")),
                operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("GET ccCopyState.") && o.endsWith("successful")),
                operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("= destroy") && o.endsWith("ok")), operations::toString);
        String log = agentLog();
        assertEquals(before + 1, log.lines().filter(l -> l.contains("copy running-config startup-config")).count(), log);
        assertTrue(log.lines().anyMatch(l -> l.matches(".*ccCopyTable row \\d+ destroyed")), log);

        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertEquals("br-v1", master(4));
        assertTrue(restored.summary().contains("saved running-config to startup-config on [cisco-save]"), restored::summary);
        assertEquals(before + 2, agentLog().lines().filter(l -> l.contains("copy running-config startup-config")).count());
    }

    /** The running configuration is right after the move; a refused save is reported and the move stands. */
    @Test
    void aFailedSaveIsReportedAndDoesNotUndoTheMove() throws Exception {
        devices.put("cisco-vm", profile("cisco-vm", "it-vm").withSaveConfig(true)); // may write vmVlan, not ccCopyTable
        List<PortMove> moves = List.of(move("cisco-vm", "4", V1, V2));
        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "the move itself succeeded: " + moved.failure().orElseThrow());
        assertEquals("br-v2", master(4), "the move stands");
        String summary = moved.orElseThrow().summary();
        assertTrue(summary.contains("startup-config NOT saved on 1 switch(es) [cisco-vm: the switch refused the copy:")
                && summary.contains("the ports are moved (running-config is right)"), summary);
        assertEquals("cisco-vm", moved.orElseThrow().measurements().get("config_save_failed"));
        assertTrue(progress.stream().anyMatch(m -> m.startsWith("startup-config NOT saved")), progress::toString);
        assertTrue(operations.stream().anyMatch(o -> o.startsWith("cisco-vm SET ccCopyTable.") && !o.endsWith("ok")),
                operations::toString);
        assertTrue(switcher.restore(moves, context).isOk());
        assertEquals("br-v1", master(4));
    }
}
