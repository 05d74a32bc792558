package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.driverkit.RecordingContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * Against the lab's real snmpd switch agents (lab/lab up; run as root). Each test moves user
 * u1's port (and spare ports without users) and checks, before and after, which site u1
 * reaches. A failed move leaves what it moved (the coordinator's restore puts it back, as the
 * tests do). Ports are put back where they were found.
 */
class QBridgeLabIT {
    private static final VlanId MAIN = VlanId.of(1);
    private static final VlanId BACKUP = VlanId.of(2);

    private static LabSupport lab;
    private static String sw;
    private static String agent;
    private static String userNs;
    private static String userPort;
    private static Map<AccessPort, VlanId> found;
    /** Ports of the test user's switch that no lab user sits on. */
    private static List<Integer> spares;
    private static QBridgeSwitcher admin;

    private final Map<String, DeviceProfile> devices = new HashMap<>();
    private final Map<String, SnmpCredential> credentials = new HashMap<>();
    private QBridgeSwitcher switcher;
    private final RecordingContext context = new RecordingContext("it");
    private final List<String> operations = context.operations();

    @BeforeAll
    static void labUp() throws Exception {
        lab = LabSupport.ensureUpAndLocked();
        // u3 by default: other sessions' lab tests tend to use u1; -Dqbridge.it.user=uN to choose
        Map<String, String> u1 = lab.user(System.getProperty("qbridge.it.user", "u3"));
        sw = u1.get("switch");
        agent = u1.get("agent");
        userNs = u1.get("ns");
        userPort = u1.get("port");
        admin = new QBridgeSwitcher(adminProfiles());
        List<AccessPort> ports = new ArrayList<>();
        spares = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        for (String u : lab.env.get("LAB_USER_NAMES").split(" ")) {
            Map<String, String> info = lab.user(u);
            taken.add(info.get("switch") + "/" + info.get("port"));
        }
        for (int p = 1; p <= lab.portsPerSwitch(); p++) {
            ports.add(new AccessPort(sw, Integer.toString(p)));
            if (!taken.contains(sw + "/" + p) && spares.size() < 3) {
                spares.add(p);
            }
        }
        if (spares.size() < 2) {
            throw new IllegalStateException("the tests need 2 ports without users on " + sw + ": run lab/lab up "
                    + "with more --ports (lab/lab down first)");
        }
        found = admin.readVlans(ports).orElseThrow();
    }

    private static QBridgeSwitcher.Profiles adminProfiles() {
        DeviceProfile profile = DeviceProfile.of(sw, agent, DeviceProfile.Version.V2C, "lab-v2c", DeviceProfile.Style.PVID);
        return profiles(Map.of(sw, profile), Map.of("lab-v2c", lab.community()));
    }

    static QBridgeSwitcher.Profiles profiles(Map<String, DeviceProfile> d, Map<String, SnmpCredential> c) {
        return new QBridgeSwitcher.Profiles() {
            @Override
            public Optional<DeviceProfile> device(String name) {
                return Optional.ofNullable(d.get(name));
            }

            @Override
            public Optional<SnmpCredential> credential(String name) {
                return Optional.ofNullable(c.get(name));
            }
        };
    }

    @AfterAll
    static void leaveAsFound() throws Exception {
        if (admin == null) {
            LabSupport.unlockAndLeaveAsFound();
            return;
        }
        List<PortMove> back = new ArrayList<>();
        Map<AccessPort, VlanId> now = admin.readVlans(List.copyOf(found.keySet())).orElseThrow();
        found.forEach((port, vlan) -> {
            if (!now.get(port).equals(vlan)) {
                back.add(new PortMove("it", port, now.get(port), vlan));
            }
        });
        if (!back.isEmpty()) {
            admin.move(back, DriverContext.detached("it-cleanup")).orElseThrow();
        }
        admin.close();
        LabSupport.unlockAndLeaveAsFound();
    }

    @BeforeEach
    void setUp() {
        switcher = new QBridgeSwitcher(profiles(devices, credentials));
        assumeTrue(MAIN.equals(found.get(new AccessPort(sw, userPort))),
                "the test user's port " + userPort + " was not on VLAN 1 when the tests started (someone else is using the lab)");
    }

    @AfterEach
    void tearDown() {
        switcher.close();
    }

    private void use(String credentialName, SnmpCredential credential, DeviceProfile.Version version,
                     DeviceProfile.Style style) {
        credentials.put(credentialName, credential);
        devices.put(sw, DeviceProfile.of(sw, agent, version, credentialName, style));
    }

    private PortMove userMove(VlanId to) {
        return new PortMove("u1", new AccessPort(sw, userPort), MAIN, to);
    }

    private PortMove spare(int port, VlanId to) {
        return new PortMove("spare" + port, new AccessPort(sw, Integer.toString(port)), MAIN, to);
    }

    /** Other sessions may move v between sites while we run: compare at the same moment, retry a little. */
    private void assertAt(String site) throws Exception {
        String expected = "";
        String actual = "";
        for (int attempt = 0; attempt < 4; attempt++) {
            expected = lab.expectedSite(site);
            actual = lab.site(userNs);
            if (expected.equals(actual)) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(expected, actual, "the test user should reach the " + site + " site");
    }

    private long sets() {
        return operations.stream().filter(o -> o.contains(" SET ")).count();
    }

    /** Move u1 and two spare ports to the backup VLAN, check, move again (nothing set), restore, check, restore again. */
    private void roundTrip() throws Exception {
        List<PortMove> moves = List.of(userMove(BACKUP), spare(spares.get(0), BACKUP), spare(spares.get(1), BACKUP));
        Preflight pre = switcher.preflight(moves).orElseThrow();
        assertTrue(pre.go(), () -> "preflight: " + pre.problems());
        assertTrue(pre.expectedDuration().toNanos() > 0, "preflight should estimate a duration");
        assertAt("main");

        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow());
        Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(BACKUP, now.get(m.port()), m.port() + " after the move"));
        assertTrue(operations.stream().anyMatch(o -> o.contains("SET dot1qPvid ×3") && o.endsWith("ok")), operations::toString);
        assertAt("backup");

        // the same move again (forward recovery after a crash): every port already moved, nothing set
        long before = sets();
        Result<OpReport> again = switcher.move(moves, context);
        assertTrue(again.isOk(), () -> "a repeated move failed: " + again.failure().orElseThrow());
        assertTrue(again.orElseThrow().summary().contains("3 of them already on their target VLAN"), again.orElseThrow()::summary);
        assertEquals(before, sets(), operations::toString);

        Result<OpReport> restored = switcher.restore(moves, context);
        assertTrue(restored.isOk(), () -> "restore failed: " + restored.failure().orElseThrow());
        Map<AccessPort, VlanId> back = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(MAIN, back.get(m.port()), m.port() + " after the restore"));
        assertAt("main");

        // restore twice is a no-op
        before = sets();
        Result<OpReport> twice = switcher.restore(moves, context);
        assertTrue(twice.isOk() && twice.orElseThrow().summary().startsWith("no port to put back"), twice::toString);
        assertEquals(before, sets(), operations::toString);
    }

    @Test
    void v2cPvid() throws Exception {
        use("lab-v2c", lab.community(), DeviceProfile.Version.V2C, DeviceProfile.Style.PVID);
        roundTrip();
    }

    @Test
    void v2cPvidStatic() throws Exception {
        use("lab-v2c", lab.community(), DeviceProfile.Version.V2C, DeviceProfile.Style.PVID_STATIC);
        roundTrip();
    }

    @Test
    void v3ShaAes128PvidStatic() throws Exception {
        use("lab-sha", lab.sha(), DeviceProfile.Version.V3, DeviceProfile.Style.PVID_STATIC);
        List<PortMove> moves = List.of(userMove(BACKUP));
        assertTrue(switcher.move(moves, context).isOk());
        // the static PortLists were rewritten in the same SET: the port is a member of VLAN 2 only
        SwitchSession s = switcher.session(sw);
        List<VariableBinding> lists = s.get(List.of(QBridgeMib.egress(1), QBridgeMib.untagged(2)));
        int port = Integer.parseInt(userPort);
        assertFalse(PortList.of(((OctetString) lists.get(0).getVariable()).getValue()).contains(port));
        assertTrue(PortList.of(((OctetString) lists.get(1).getVariable()).getValue()).contains(port));
        assertAt("backup");
        assertTrue(switcher.restore(moves, context).isOk());
        assertAt("main");
        roundTrip();
    }

    @Test
    void v3Sha256Aes256Pvid() throws Exception {
        use("lab-sha256", lab.sha256(), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        roundTrip();
    }

    @Test
    void v3Sha256Aes256PvidStatic() throws Exception {
        use("lab-sha256", lab.sha256(), DeviceProfile.Version.V3, DeviceProfile.Style.PVID_STATIC);
        roundTrip();
    }

    @Test
    void wrongAuthPasswordIsAnAuthenticationFailureNamingTheSwitch() throws Exception {
        SnmpCredential good = lab.sha();
        use("bad-auth", SnmpCredential.user("bad-auth", good.user(), good.auth(), "wrong-" + good.authPassphrase(),
                good.priv(), good.privPassphrase()), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        devices.put(sw, devices.get(sw).withTimeout(Duration.ofMillis(500), 0));
        assertAt("main");
        Problem p = switcher.move(List.of(userMove(BACKUP)), context).failure().orElseThrow();
        assertEquals(sw, p.device());
        assertTrue(p.cause().contains("authentication failure") && p.cause().contains(sw), p::toString);
        assertFalse(p.toString().contains(good.authPassphrase()), "a secret leaked into the problem");
        assertTrue(p.cause().endsWith("; no port moved"), p::toString);
        Preflight pre = switcher.preflight(List.of(userMove(BACKUP))).orElseThrow();
        assertTrue(pre.problems().stream().anyMatch(x -> x.cause().contains("authentication failure")), pre::toString);
        assertAt("main");
        // the driver keeps nothing from the move: the rollback's restore must read the switch, which
        // refuses the credentials again, so the port cannot be confirmed (the coordinator retries, then
        // ends FAILED, "operator action needed"; S702's preflight refuses such a start before anything moves)
        for (int attempt = 1; attempt <= 2; attempt++) {
            Problem r = switcher.restore(List.of(userMove(BACKUP)), context).failure().orElseThrow();
            assertEquals(sw, r.device());
            assertTrue(r.cause().contains("authentication failure") && r.cause().contains("not put back: [" + sw + "/"
                    + userPort + "]"), r::toString);
            assertFalse(r.toString().contains(good.authPassphrase()), "a secret leaked into the problem");
        }
        assertAt("main");
    }

    @Test
    void unknownUserIsNamed() throws Exception {
        SnmpCredential good = lab.sha();
        use("nobody", SnmpCredential.user("nobody", "sm-no-such-user", good.auth(), good.authPassphrase(),
                good.priv(), good.privPassphrase()), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        devices.put(sw, devices.get(sw).withTimeout(Duration.ofMillis(500), 0));
        Problem p = switcher.readVlans(List.of(new AccessPort(sw, userPort))).failure().orElseThrow();
        assertEquals(sw, p.device());
        assertTrue(p.cause().contains("unknown user") && p.cause().contains("sm-no-such-user"), p::toString);
    }

    @Test
    void wrongPrivacyPasswordIsATimeoutWithAHint() throws Exception {
        SnmpCredential good = lab.sha256();
        use("bad-priv", SnmpCredential.user("bad-priv", good.user(), good.auth(), good.authPassphrase(),
                good.priv(), "wrong-" + good.privPassphrase()), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        devices.put(sw, devices.get(sw).withTimeout(Duration.ofMillis(300), 0));
        assertAt("main");
        Problem p = switcher.move(List.of(userMove(BACKUP)), context).failure().orElseThrow();
        assertEquals(sw, p.device());
        assertTrue(p.cause().contains("no answer — check address, community or privacy password"), p::toString);
        assertFalse(p.toString().contains(good.privPassphrase()), "a secret leaked into the problem");
        assertAt("main");
    }

    @Test
    void unknownVlanIsAClearErrorAndNothingMoves() throws Exception {
        use("lab-v2c", lab.community(), DeviceProfile.Version.V2C, DeviceProfile.Style.PVID);
        VlanId missing = VlanId.of(3999);
        Preflight pre = switcher.preflight(List.of(userMove(missing))).orElseThrow();
        assertTrue(pre.problems().stream().anyMatch(x -> x.cause().contains("VLAN 3999 does not exist")), pre::toString);
        assertAt("main");
        Problem p = switcher.move(List.of(userMove(missing)), context).failure().orElseThrow();
        assertTrue(p.cause().contains("port " + userPort) && p.cause().contains("wrongValue")
                && p.cause().contains("VLAN does not exist"), p::toString);
        assertEquals(MAIN, switcher.readVlans(List.of(new AccessPort(sw, userPort))).orElseThrow()
                .get(new AccessPort(sw, userPort)));
        assertAt("main");
    }

    /**
     * Forward recovery on the real agent: the read just before the SET finds a port already on its
     * target VLAN (moved by a move before a crash); it counts as moved and only the others are set.
     * (A port on a third VLAN, refused and left alone: CiscoLabIT, on a switch of its own that has one.)
     */
    @Test
    void aPortAlreadyOnItsTargetVlanIsNotSetAgain() throws Exception {
        use("lab-sha", lab.sha(), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        int early = spares.get(0);
        List<PortMove> moves = List.of(userMove(BACKUP), spare(early, BACKUP));
        assertTrue(switcher.move(List.of(spare(early, BACKUP)), context).isOk());
        try {
            operations.clear();
            OpReport r = switcher.move(moves, context).orElseThrow();
            assertTrue(r.summary().contains("(1 of them already on their target VLAN: not set again)"), r::summary);
            assertTrue(operations.stream().anyMatch(o -> o.contains("SET dot1qPvid ×1 [" + userPort + "→2]")
                    && o.endsWith("ok")), operations::toString);
            assertEquals(1, sets(), operations::toString);
            Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
            moves.forEach(m -> assertEquals(BACKUP, now.get(m.port()), m.port() + " after the move"));
            assertAt("backup");
        } finally {
            assertTrue(switcher.restore(moves, context).isOk());
        }
        assertAt("main");
    }

    /**
     * A batch split over 2 PDUs whose second one fails: the move stops and reports the first PDU's
     * ports as moved, and leaves them moved; the coordinator's restore puts them back.
     */
    @Test
    void aBatchFailingInItsSecondPduReportsTheMovedPortsAndTheRestorePutsThemBack() throws Exception {
        use("lab-sha", lab.sha(), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        devices.put(sw, devices.get(sw).withMaxVarbinds(2));
        // 2 good ports fill the first PDU (and move); a spare port to a missing VLAN fails in the second.
        int good = spares.get(0);
        int bad = spares.get(1);
        List<PortMove> moves = List.of(userMove(BACKUP), spare(good, BACKUP), spare(bad, VlanId.of(3999)));
        assertAt("main");
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertEquals(sw, p.device());
        assertTrue(p.cause().contains("port " + bad) && p.cause().contains("wrongValue"), p::toString);
        assertTrue(p.cause().endsWith("; 2 port(s) moved before the failure [" + sw + "/" + userPort + ", " + sw + "/"
                + good + "], the coordinator's restore puts them back"), p::toString);
        assertEquals(2, sets(), "2 PDUs, no put-back: " + operations);
        Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        assertEquals(List.of(BACKUP, BACKUP, MAIN), moves.stream().map(m -> now.get(m.port())).toList());
        assertAt("backup");

        OpReport restored = switcher.restore(moves, context).orElseThrow();
        assertTrue(restored.summary().startsWith("put back 2 port(s)") && restored.summary().contains(
                "1 port(s) already on their original VLAN"), restored::summary);
        Map<AccessPort, VlanId> back = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(MAIN, back.get(m.port()), m.port() + " after the restore"));
        assertAt("main");
        long before = sets();
        assertTrue(switcher.restore(moves, context).orElseThrow().summary().startsWith("no port to put back"));
        assertEquals(before, sets(), "restore twice is a no-op: " + operations);
    }

    @Test
    void aFailureInsideOnePduReportsTheMovedPortAndTheRestorePutsItBack() throws Exception {
        use("lab-v2c", lab.community(), DeviceProfile.Version.V2C, DeviceProfile.Style.PVID);
        // The lab agent applies varbinds in order and does not undo: u1 moves, the spare port fails.
        List<PortMove> moves = List.of(userMove(BACKUP), spare(spares.get(0), VlanId.of(3999)));
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertTrue(p.cause().contains("port " + spares.get(0)) && p.cause().contains("wrongValue"), p::toString);
        assertTrue(p.cause().endsWith("; 1 port(s) moved before the failure [" + sw + "/" + userPort
                + "], the coordinator's restore puts them back"), p::toString);
        assertEquals(BACKUP, switcher.readVlans(List.of(new AccessPort(sw, userPort))).orElseThrow()
                .get(new AccessPort(sw, userPort)), "the move left u1 moved");
        assertTrue(switcher.restore(moves, context).isOk());
        Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(MAIN, now.get(m.port()), m.port() + " after the restore"));
        assertAt("main");
    }
}
