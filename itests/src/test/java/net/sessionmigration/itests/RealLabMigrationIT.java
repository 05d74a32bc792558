package net.sessionmigration.itests;

import static net.sessionmigration.itests.LabFixture.assertSessionKept;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;

/**
 * The maintenance use on the real lab, through the real drivers inside Karaf: the coordinator
 * moves the streaming server with CRIU through both migration daemons (criu-daemon, mutual TLS)
 * and switches the user's access port over SNMPv3 authPriv (snmp-qbridge, the lab switch's
 * snmpd); the user's TCP session survives with no lost or duplicated line.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RealLabMigrationIT extends SessionMigrationTestSupport {
    private static final String VIP = "10.20.0.100";
    private static final int SERVICE_PORT = 7001; // the daemons' own copy of the stream; 7000 is the lab's
    private static final Map<String, String> DAEMONS = Map.of("main-srv", LabFixture.MAIN_DAEMON,
            "bak-srv", LabFixture.BACKUP_DAEMON, "probe1", LabFixture.PROBE_DAEMON);

    @Test
    public void theCoordinatorMovesTheWorkloadAndTheUserKeepsTheSession() throws Exception {
        onLab("lab-evacuate", plan(), lab -> {
            DryRunReport dry = migrations.dryRun("lab-evacuate");
            assertTrue("dry-run: " + dry.problems(), dry.go());

            Migration m = migrate(lab, "lab-evacuate", "sm-u1");
            String seen = m.seen().get("sm-u1");
            // kept for the operator and BENCHMARKS.md: what the user saw and the step timeline
            keep("user-u1.json", seen);
            keepHistory("history.txt", m);

            assertState(MigrationState.SUCCEEDED, m.record());
            assertSessionKept(seen);
            assertTrue("the port is on the backup VLAN", portIn(lab, "p1", "br-v2"));
            assertTrue("v is at the backup site", vipAt(lab, "sm-bak-srv"));
            assertFalse("v left the main site", vipAt(lab, "sm-main-srv"));
            assertTrue("the switch operation is in the flight record", m.record().operations().stream()
                    .anyMatch(o -> o.driverType().equals("snmp-qbridge") && o.device().equals("sw1")));
            assertTrue("the daemon operations are in the flight record", m.record().operations().stream()
                    .anyMatch(o -> o.driverType().equals("criu-daemon")));
        });
    }

    @Test
    public void replicateServesTheMovedUserFromTheBackupAndTheOtherFromTheMain() throws Exception {
        onLab("lab-load", replicatePlan(), lab -> {
            Migration m = migrate(lab, "lab-load", "sm-u1", "sm-u2");

            assertState(MigrationState.SUCCEEDED, m.record());
            assertSessionKept(m.seen().get("sm-u1"));
            assertSessionKept(m.seen().get("sm-u2"));
            assertTrue("only the user near the backup moved", portIn(lab, "p1", "br-v2"));
            assertTrue("the other user stayed", portIn(lab, "p2", "br-v1"));
            assertTrue("v at both sites", vipAt(lab, "sm-bak-srv") && vipAt(lab, "sm-main-srv"));
            assertTrue(migrations.plan("lab-load").orElseThrow().backupActive());
        });
    }

    /**
     * Probe-verified commit on the lab: probe1, a daemon on switch port 8 that moves with the users,
     * connects to v:7001 at the backup site after the switch and before resume.
     */
    @Test
    public void theProbeFromTheUserSideVerifiesTheSwitchBeforeResume() throws Exception {
        onLab("lab-probed", probedPlan("lab-probed"), lab -> {
            DryRunReport dry = migrations.dryRun("lab-probed");
            assertTrue("dry-run: " + dry.problems(), dry.go());
            assertTrue("dry-run says the probe runs: " + dry.notes(),
                    dry.notes().stream().anyMatch(n -> n.startsWith("probe: will run after S708")));

            Migration m = migrate(lab, "lab-probed", "sm-u1");
            keepHistory("probe-history.txt", m);

            MigrationRecord record = m.record();
            assertState(MigrationState.SUCCEEDED, record);
            assertSessionKept(m.seen().get("sm-u1"));
            OperationRecord probe = record.operations().stream().filter(o -> o.operation().equals("probe"))
                    .findFirst().orElseThrow(() -> new AssertionError("no probe in " + record.operations()));
            assertEquals(Step.S708, probe.step());
            assertEquals("probe1", probe.device());
            assertEquals("daemon-probe", probe.driverType());
            assertTrue(probe.outcome(), probe.outcome().contains("connect_us"));
            OperationRecord resume = record.operations().stream().filter(o -> o.operation().equals("resume"))
                    .findFirst().orElseThrow(() -> new AssertionError("no resume in " + record.operations()));
            assertTrue("the probe ends before the resume starts", probe.endMicros() <= resume.startMicros());
            assertTrue("the probe host moved with the users", portIn(lab, "p8", "br-v2"));
        });
    }

    /**
     * The backup site drops TCP to v (a real firewall rule in its router): the probe times out,
     * the coordinator rolls back, the users return to VLAN 1 and keep their sessions.
     */
    @Test
    public void aProbeThatCannotReachTheNewSiteRollsBackAndTheUsersKeepTheirSessions() throws Exception {
        onLab("lab-probe-blocked", probedPlan("lab-probe-blocked"), lab -> {
            Migration m;
            try {
                blockTcpToVipAtTheBackupRouter(lab); // the users reach v at the main site through VLAN 1
                m = migrate(lab, "lab-probe-blocked", "sm-u1");
            } finally {
                unblock(lab);
            }
            keepHistory("probe-blocked-history.txt", m);

            MigrationRecord record = m.record();
            String seen = m.seen().get("sm-u1");
            assertState(MigrationState.ROLLED_BACK, record);
            assertEquals("probe1", record.failure().orElseThrow().device());
            assertTrue(record.failure().orElseThrow().cause(),
                    record.failure().orElseThrow().cause().contains("timed out"));
            assertTrue("never resumed at the target", record.operations().stream()
                    .noneMatch(o -> o.operation().equals("resume")));
            for (String port : new String[] {"p1", "p8"}) {
                assertTrue(port + " back on VLAN 1", portIn(lab, port, "br-v1"));
            }
            assertTrue("v back at the main site", vipAt(lab, "sm-main-srv"));
            assertFalse("v gone from the backup site", vipAt(lab, "sm-bak-srv"));
            assertSessionKept(seen);
            assertTrue("only the main site served u1: " + seen, servedOnlyByMain(seen));
            LabFixture.UserClient u2 = lab.user("sm-u2", VIP, SERVICE_PORT, 60);
            Thread.sleep(2000);
            String fresh = u2.stop();
            assertTrue("a new user is served at the main site: " + fresh, servedOnlyByMain(fresh));
        });
    }

    /** What a test does on the lab once {@link #onLab} has prepared it. */
    private interface LabScenario {
        void run(LabFixture lab) throws Exception;
    }

    /**
     * Runs a scenario on the lab (its lock held throughout): the daemons started with fresh
     * certificates, the real drivers configured, the workload started at main-srv through its
     * daemon, and the plan written and runnable. Afterwards the lab is put back ({@link #restoreLab}).
     */
    private void onLab(String planName, String planJson, LabScenario scenario) throws Exception {
        try (LabFixture lab = new LabFixture()) {
            lab.run(120, "lab/daemons/daemons", "certs");
            lab.run(120, "lab/daemons/daemons", "start");
            try {
                configureLabDrivers(lab, DAEMONS, "criu-daemon", "daemon-probe", "snmp-qbridge");
                lab.postToDaemon(LabFixture.MAIN_DAEMON + "/v1/workloads/stream/start");
                writePlan(planName + ".json", planJson);
                waitFor("plan " + planName + " runnable with the real drivers",
                        () -> migrations.plan(planName).map(PlanStatus::runnable).orElse(false));
                scenario.run(lab);
            } finally {
                restoreLab(lab);
            }
        }
    }

    /** One migration as the users saw it: its id, its record and each user's client record by namespace. */
    private record Migration(String id, MigrationRecord record, Map<String, String> seen) {
    }

    /**
     * The users (namespaces) stream from v:7001; 2 s later the plan starts; it runs to its end,
     * the users stream 2 s more and stop.
     */
    private Migration migrate(LabFixture lab, String plan, String... users) throws Exception {
        List<LabFixture.UserClient> clients = new ArrayList<>();
        for (String namespace : users) {
            clients.add(lab.user(namespace, VIP, SERVICE_PORT, 120));
        }
        Thread.sleep(2000);
        String id = admin.start(StartRequest.of(plan, "itest"), e -> { }).orElseThrow();
        MigrationRecord record = admin.await(id, Duration.ofSeconds(120)).orElseThrow();
        Thread.sleep(2000);
        Map<String, String> seen = new LinkedHashMap<>();
        for (int i = 0; i < users.length; i++) {
            seen.put(users[i], clients.get(i).stop());
        }
        return new Migration(id, record, seen);
    }

    private static void assertState(MigrationState expected, MigrationRecord record) {
        assertEquals(record.failure() + " " + record.notes(), expected, record.state());
    }

    /** Evidence for the operator and BENCHMARKS.md, in itests/target/real-lab. */
    private static void keep(String file, String content) throws Exception {
        Path out = Path.of(System.getProperty("sm.root"), "itests/target/real-lab");
        Files.createDirectories(out);
        Files.writeString(out.resolve(file), content);
    }

    /** The migration's step and driver-operation timeline as {@code migration:history ID} prints it. */
    private void keepHistory(String file, Migration m) throws Exception {
        keep(file, execute("migration:history " + m.id()));
    }

    /** Whether the lab switch's port is in the VLAN bridge ({@code br-v1}: main site, {@code br-v2}: backup). */
    private static boolean portIn(LabFixture lab, String port, String bridge) throws Exception {
        return lab.run(10, "ip", "-n", "sm-sw1", "-o", "link", "show", port).contains("master " + bridge);
    }

    /** Whether v is on the server's eth0 (a server namespace: sm-main-srv, sm-bak-srv). */
    private static boolean vipAt(LabFixture lab, String server) throws Exception {
        return lab.run(10, "ip", "-n", server, "-o", "addr", "show", "dev", "eth0").contains(VIP + "/");
    }

    private static final String BLOCK_TABLE = "sm_probe_itest";

    private static void blockTcpToVipAtTheBackupRouter(LabFixture lab) throws Exception {
        lab.run(10, "ip", "netns", "exec", "sm-bak-rt", "nft", "add", "table", "ip", BLOCK_TABLE);
        lab.run(10, "ip", "netns", "exec", "sm-bak-rt", "nft", "add", "chain", "ip", BLOCK_TABLE, "block",
                "{", "type", "filter", "hook", "forward", "priority", "0", ";", "}");
        lab.run(10, "ip", "netns", "exec", "sm-bak-rt", "nft", "add", "rule", "ip", BLOCK_TABLE, "block",
                "ip", "daddr", VIP, "tcp", "dport", Integer.toString(SERVICE_PORT), "drop");
    }

    private static void unblock(LabFixture lab) {
        lab.quietly("ip", "netns", "exec", "sm-bak-rt", "nft", "delete", "table", "ip", BLOCK_TABLE);
    }

    /** Puts the lab back as the other lab tests expect it: no copy of ours running, v and the port at main. */
    private static void restoreLab(LabFixture lab) throws Exception {
        for (String ns : new String[] {"sm-main-srv", "sm-bak-srv"}) {
            Process pids = new ProcessBuilder("ip", "netns", "pids", ns).start();
            for (String pid : new String(pids.getInputStream().readAllBytes()).split("\\s+")) {
                if (!pid.isBlank() && "smstream".equals(comm(pid))) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        lab.quietly("ip", "-n", "sm-bak-srv", "addr", "del", VIP + "/32", "dev", "eth0");
        lab.quietly("ip", "-n", "sm-main-srv", "addr", "replace", VIP + "/32", "dev", "eth0");
        lab.quietly("ip", "-n", "sm-sw1", "link", "set", "p1", "master", "br-v1");
        lab.quietly("ip", "-n", "sm-sw1", "link", "set", "p2", "master", "br-v1");
        lab.quietly("ip", "-n", "sm-sw1", "link", "set", "p8", "master", "br-v1");
        lab.quietly(lab.path("lab/daemons/daemons").toString(), "stop");
    }

    private static String comm(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm")).trim();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Whether a user client's record names the main site as the only server it heard from. */
    private static boolean servedOnlyByMain(String seen) {
        return Pattern.compile("\"servers\":\\s*\\[\\s*\"main\"\\s*\\]").matcher(seen).find();
    }

    /** The seed's load case: both copies run; only u1 (near the backup) moves, and the backup copy serves it. */
    private static String replicatePlan() {
        return """
            {
              "schemaVersion": 1,
              "name": "lab-load",
              "description": "load on the lab: replicate the stream; u1 moves to the backup copy, u2 stays",
              "mode": "REPLICATE",
              "virtualIp": "10.20.0.100",
              "servers": {"main-srv": {"site": "main"}, "bak-srv": {"site": "backup"}},
              "workload": {"name": "stream", "driver": "criu-daemon", "source": "main-srv", "target": "bak-srv",
                           "freeze": true, "moveVirtualIp": true, "options": {"targetClients": "10.10.1.1"}},
              "devices": {"sw1": {"driver": "snmp-qbridge"}},
              "users": [
                {"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 2, "nearBackup": true},
                {"name": "u2", "device": "sw1", "port": "2", "fromVlan": 1, "toVlan": 2}
              ]
            }
            """;
    }

    private static String plan() {
        return """
            {
              "schemaVersion": 1,
              "name": "lab-evacuate",
              "description": "maintenance on the lab: move the stream and u1 to the backup site",
              "mode": "MOVE",
              "virtualIp": "10.20.0.100",
              "servers": {"main-srv": {"site": "main"}, "bak-srv": {"site": "backup"}},
              "workload": {"name": "stream", "driver": "criu-daemon", "source": "main-srv", "target": "bak-srv",
                           "freeze": true, "moveVirtualIp": true},
              "devices": {"sw1": {"driver": "snmp-qbridge"}},
              "users": [{"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 2}]
            }
            """;
    }

    /** u1 and the probe host (switch port 8) move; probe1 must reach v:7001 at the backup before resume. */
    private static String probedPlan(String name) {
        return """
            {
              "schemaVersion": 1,
              "name": "%s",
              "description": "maintenance on the lab, verified from the user side by probe1",
              "mode": "MOVE",
              "virtualIp": "10.20.0.100",
              "servers": {"main-srv": {"site": "main"}, "bak-srv": {"site": "backup"}},
              "workload": {"name": "stream", "driver": "criu-daemon", "source": "main-srv", "target": "bak-srv",
                           "freeze": true, "moveVirtualIp": true},
              "devices": {"sw1": {"driver": "snmp-qbridge"}},
              "users": [
                {"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 2},
                {"name": "probe1", "device": "sw1", "port": "8", "fromVlan": 1, "toVlan": 2}
              ],
              "probe": {"driver": "daemon-probe", "host": "probe1", "port": 7001, "timeoutMs": 1000}
            }
            """.formatted(name);
    }
}
