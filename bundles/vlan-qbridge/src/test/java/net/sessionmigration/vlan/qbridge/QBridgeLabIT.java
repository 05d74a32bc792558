package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.DriverContext;
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
 * reaches. Ports are put back where they were found.
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
    private final List<String> operations = new CopyOnWriteArrayList<>();
    private final DriverContext context = new DriverContext() {
        @Override
        public String migrationId() {
            return "it";
        }

        @Override
        public void progress(String message) {
        }

        @Override
        public void operation(String device, String operation, Instant start, Instant end, String outcome) {
            operations.add(device + " " + operation + " " + Duration.between(start, end).toMillis() + "ms " + outcome);
        }
    };

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

    /** Move u1 and two spare ports to the backup VLAN, check, restore, check. */
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

        Result<OpReport> restored = switcher.restore(moves, context);
        assertTrue(restored.isOk(), () -> "restore failed: " + restored.failure().orElseThrow());
        Map<AccessPort, VlanId> back = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(MAIN, back.get(m.port()), m.port() + " after the restore"));
        assertAt("main");
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
        assertTrue(p.cause().contains("nothing to put back") && !p.cause().contains("COULD NOT PUT BACK"), p::toString);
        Preflight pre = switcher.preflight(List.of(userMove(BACKUP))).orElseThrow();
        assertTrue(pre.problems().stream().anyMatch(x -> x.cause().contains("authentication failure")), pre::toString);
        assertAt("main");
        // the switch refused the credentials, so it changed nothing: the rollback's restore knows it
        // without reading the switch (which would refuse again)
        OpReport restored = switcher.restore(List.of(userMove(BACKUP)), context).orElseThrow();
        assertTrue(restored.summary().contains("never changed") && restored.summary().contains(sw), restored::toString);
        // ...once: a second restore of the same migration reads the switch, and is refused
        assertEquals(sw, switcher.restore(List.of(userMove(BACKUP)), context).failure().orElseThrow().device());
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

    /** [safety] The plan owns only ports on their fromVlan: read again just before the SET, on the real agent. */
    @Test
    void aPortNoLongerOnItsFromVlanIsNotSetAndNothingElseOnTheSwitchMoves() throws Exception {
        use("lab-sha", lab.sha(), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        int taken = spares.get(0);
        // another tenant takes the spare port after the preflight: it is on VLAN 2 now
        assertTrue(switcher.move(List.of(spare(taken, BACKUP)), context).isOk());
        try {
            Problem p = switcher.move(List.of(userMove(BACKUP), spare(taken, BACKUP)), context).failure().orElseThrow();
            assertTrue(p.cause().contains("port " + taken + " (user spare" + taken + ") is on VLAN 2, the plan expects VLAN 1")
                    && p.cause().contains("nothing was set"), p::toString);
            Map<AccessPort, VlanId> now = switcher.readVlans(List.of(new AccessPort(sw, userPort),
                    new AccessPort(sw, Integer.toString(taken)))).orElseThrow();
            assertEquals(MAIN, now.get(new AccessPort(sw, userPort)), "u1 was not moved");
            assertEquals(BACKUP, now.get(new AccessPort(sw, Integer.toString(taken))), "the port stays where it really was");
            assertAt("main");
        } finally {
            switcher.move(List.of(new PortMove("spare" + taken, new AccessPort(sw, Integer.toString(taken)), BACKUP, MAIN)),
                    context);
        }
    }

    @Test
    void batchWithOneFailingPortIsRolledBackAcrossPdus() throws Exception {
        use("lab-sha", lab.sha(), DeviceProfile.Version.V3, DeviceProfile.Style.PVID);
        devices.put(sw, devices.get(sw).withMaxVarbinds(2));
        // 2 good ports fill the first PDU (and move); a spare port to a missing VLAN fails in the second.
        int bad = spares.get(1);
        List<PortMove> moves = List.of(userMove(BACKUP), spare(spares.get(0), BACKUP), spare(bad, VlanId.of(3999)));
        assertAt("main");
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertTrue(p.cause().contains("port " + bad) && p.cause().contains("wrongValue"), p::toString);
        assertTrue(p.cause().contains("put back 2 port(s)"), p::toString);
        Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(MAIN, now.get(m.port()), m.port() + " after the rollback"));
        assertTrue(operations.stream().filter(o -> o.contains(" SET ")).count() >= 3, operations::toString);
        assertAt("main");
    }

    @Test
    void failureInsideOnePduIsRolledBack() throws Exception {
        use("lab-v2c", lab.community(), DeviceProfile.Version.V2C, DeviceProfile.Style.PVID);
        // The lab agent applies varbinds in order and does not undo: u1 moves, port 4 fails.
        List<PortMove> moves = List.of(userMove(BACKUP), spare(spares.get(0), VlanId.of(3999)));
        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertTrue(p.cause().contains("port " + spares.get(0)) && p.cause().contains("wrongValue"), p::toString);
        assertTrue(p.cause().contains("put back 1 port(s)"), p::toString);
        Map<AccessPort, VlanId> now = switcher.readVlans(moves.stream().map(PortMove::port).toList()).orElseThrow();
        moves.forEach(m -> assertEquals(MAIN, now.get(m.port()), m.port() + " after the rollback"));
        assertAt("main");
    }
}
