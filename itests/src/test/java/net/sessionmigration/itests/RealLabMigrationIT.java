package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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

    @Test
    public void theCoordinatorMovesTheWorkloadAndTheUserKeepsTheSession() throws Exception {
        try (LabFixture lab = new LabFixture()) {
            lab.run(120, "lab/daemons/daemons", "certs");
            lab.run(120, "lab/daemons/daemons", "start");
            try {
                lab.lock();
                configureDrivers(lab);
                startWorkload(lab.path("lab/run/daemons/pki"));
                writePlan("lab-evacuate.json", plan());
                waitFor("plan lab-evacuate runnable with the real drivers",
                        () -> migrations.plan("lab-evacuate").map(PlanStatus::runnable).orElse(false));
                DryRunReport dry = migrations.dryRun("lab-evacuate");
                assertTrue("dry-run: " + dry.problems(), dry.go());

                LabFixture.UserClient u1 = lab.user("sm-u1", VIP, SERVICE_PORT, 120);
                Thread.sleep(2000);
                String id = admin.start(StartRequest.of("lab-evacuate", "itest"), e -> { }).orElseThrow();
                MigrationRecord record = admin.await(id, Duration.ofSeconds(120)).orElseThrow();
                Thread.sleep(2000);
                String seen = u1.stop();
                // kept for the operator and BENCHMARKS.md: what the user saw and the step timeline
                Path out = lab.path("itests/target/real-lab");
                Files.createDirectories(out);
                Files.writeString(out.resolve("user-u1.json"), seen);
                Files.writeString(out.resolve("history.txt"), execute("migration:history " + id));

                assertEquals(record.failure() + " " + record.notes(), MigrationState.SUCCEEDED, record.state());
                assertSessionKept(seen);
                assertTrue("the port is on the backup VLAN",
                        lab.run(10, "ip", "-n", "sm-sw1", "-o", "link", "show", "p1").contains("master br-v2"));
                assertTrue("v is at the backup site",
                        lab.run(10, "ip", "-n", "sm-bak-srv", "-o", "addr", "show", "dev", "eth0").contains(VIP + "/"));
                assertFalse("v left the main site",
                        lab.run(10, "ip", "-n", "sm-main-srv", "-o", "addr", "show", "dev", "eth0").contains(VIP + "/"));
                assertTrue("the switch operation is in the flight record", record.operations().stream()
                        .anyMatch(o -> o.driverType().equals("snmp-qbridge") && o.device().equals("sw1")));
                assertTrue("the daemon operations are in the flight record", record.operations().stream()
                        .anyMatch(o -> o.driverType().equals("criu-daemon")));
            } finally {
                restoreLab(lab);
            }
        }
    }

    @Test
    public void replicateServesTheMovedUserFromTheBackupAndTheOtherFromTheMain() throws Exception {
        try (LabFixture lab = new LabFixture()) {
            lab.run(120, "lab/daemons/daemons", "certs");
            lab.run(120, "lab/daemons/daemons", "start");
            try {
                lab.lock();
                configureDrivers(lab);
                startWorkload(lab.path("lab/run/daemons/pki"));
                writePlan("lab-load.json", replicatePlan());
                waitFor("plan lab-load runnable", () -> migrations.plan("lab-load").map(PlanStatus::runnable).orElse(false));

                LabFixture.UserClient near = lab.user("sm-u1", VIP, SERVICE_PORT, 120);
                LabFixture.UserClient far = lab.user("sm-u2", VIP, SERVICE_PORT, 120);
                Thread.sleep(2000);
                String id = admin.start(StartRequest.of("lab-load", "itest"), e -> { }).orElseThrow();
                MigrationRecord record = admin.await(id, Duration.ofSeconds(120)).orElseThrow();
                Thread.sleep(2000);
                String nearSeen = near.stop();
                String farSeen = far.stop();

                assertEquals(record.failure() + " " + record.notes(), MigrationState.SUCCEEDED, record.state());
                assertSessionKept(nearSeen);
                assertSessionKept(farSeen);
                assertTrue("only the user near the backup moved",
                        lab.run(10, "ip", "-n", "sm-sw1", "-o", "link", "show", "p1").contains("master br-v2"));
                assertTrue("the other user stayed",
                        lab.run(10, "ip", "-n", "sm-sw1", "-o", "link", "show", "p2").contains("master br-v1"));
                assertTrue("v at both sites", lab.run(10, "ip", "-n", "sm-bak-srv", "-o", "addr", "show", "dev", "eth0")
                        .contains(VIP + "/") && lab.run(10, "ip", "-n", "sm-main-srv", "-o", "addr", "show", "dev", "eth0")
                        .contains(VIP + "/"));
                assertTrue(migrations.plan("lab-load").orElseThrow().backupActive());
            } finally {
                restoreLab(lab);
            }
        }
    }

    /**
     * Probe-verified commit on the lab: probe1, a daemon on switch port 8 that moves with the users,
     * connects to v:7001 at the backup site after the switch and before resume.
     */
    @Test
    public void theProbeFromTheUserSideVerifiesTheSwitchBeforeResume() throws Exception {
        try (LabFixture lab = new LabFixture()) {
            lab.run(120, "lab/daemons/daemons", "certs");
            lab.run(120, "lab/daemons/daemons", "start");
            try {
                startWithProbedPlan(lab, "lab-probed");
                DryRunReport dry = migrations.dryRun("lab-probed");
                assertTrue("dry-run: " + dry.problems(), dry.go());
                assertTrue("dry-run says the probe runs: " + dry.notes(),
                        dry.notes().stream().anyMatch(n -> n.startsWith("probe: will run after S708")));

                LabFixture.UserClient u1 = lab.user("sm-u1", VIP, SERVICE_PORT, 120);
                Thread.sleep(2000);
                String id = admin.start(StartRequest.of("lab-probed", "itest"), e -> { }).orElseThrow();
                MigrationRecord record = admin.await(id, Duration.ofSeconds(120)).orElseThrow();
                Thread.sleep(2000);
                String seen = u1.stop();
                Path out = lab.path("itests/target/real-lab");
                Files.createDirectories(out);
                Files.writeString(out.resolve("probe-history.txt"), execute("migration:history " + id));

                assertEquals(record.failure() + " " + record.notes(), MigrationState.SUCCEEDED, record.state());
                assertSessionKept(seen);
                OperationRecord probe = record.operations().stream().filter(o -> o.operation().equals("probe"))
                        .findFirst().orElseThrow(() -> new AssertionError("no probe in " + record.operations()));
                assertEquals(Step.S708, probe.step());
                assertEquals("probe1", probe.device());
                assertEquals("daemon-probe", probe.driverType());
                assertTrue(probe.outcome(), probe.outcome().contains("connect_us"));
                OperationRecord resume = record.operations().stream().filter(o -> o.operation().equals("resume"))
                        .findFirst().orElseThrow(() -> new AssertionError("no resume in " + record.operations()));
                assertTrue("the probe ends before the resume starts", probe.endMicros() <= resume.startMicros());
                assertTrue("the probe host moved with the users",
                        lab.run(10, "ip", "-n", "sm-sw1", "-o", "link", "show", "p8").contains("master br-v2"));
            } finally {
                restoreLab(lab);
            }
        }
    }

    /**
     * The backup site drops TCP to v (a real firewall rule in its router): the probe times out,
     * the coordinator rolls back, the users return to VLAN 1 and keep their sessions.
     */
    @Test
    public void aProbeThatCannotReachTheNewSiteRollsBackAndTheUsersKeepTheirSessions() throws Exception {
        try (LabFixture lab = new LabFixture()) {
            lab.run(120, "lab/daemons/daemons", "certs");
            lab.run(120, "lab/daemons/daemons", "start");
            try {
                startWithProbedPlan(lab, "lab-probe-blocked");

                LabFixture.UserClient u1 = lab.user("sm-u1", VIP, SERVICE_PORT, 120);
                Thread.sleep(2000);
                blockTcpToVipAtTheBackupRouter(lab);
                MigrationRecord record;
                try {
                    String id = admin.start(StartRequest.of("lab-probe-blocked", "itest"), e -> { }).orElseThrow();
                    record = admin.await(id, Duration.ofSeconds(120)).orElseThrow();
                    Files.createDirectories(lab.path("itests/target/real-lab"));
                    Files.writeString(lab.path("itests/target/real-lab/probe-blocked-history.txt"),
                            execute("migration:history " + id));
                } finally {
                    unblock(lab);
                }
                Thread.sleep(2000);
                String seen = u1.stop();

                assertEquals(record.failure() + " " + record.notes(), MigrationState.ROLLED_BACK, record.state());
                assertEquals("probe1", record.failure().orElseThrow().device());
                assertTrue(record.failure().orElseThrow().cause(),
                        record.failure().orElseThrow().cause().contains("timed out"));
                assertTrue("never resumed at the target", record.operations().stream()
                        .noneMatch(o -> o.operation().equals("resume")));
                for (String port : new String[] {"p1", "p8"}) {
                    assertTrue(port + " back on VLAN 1",
                            lab.run(10, "ip", "-n", "sm-sw1", "-o", "link", "show", port).contains("master br-v1"));
                }
                assertTrue("v back at the main site",
                        lab.run(10, "ip", "-n", "sm-main-srv", "-o", "addr", "show", "dev", "eth0").contains(VIP + "/"));
                assertFalse("v gone from the backup site",
                        lab.run(10, "ip", "-n", "sm-bak-srv", "-o", "addr", "show", "dev", "eth0").contains(VIP + "/"));
                assertSessionKept(seen);
                assertTrue("only the main site served u1: " + seen, matches(seen, "\"servers\":\\s*\\[\\s*\"main\"\\s*\\]"));
                LabFixture.UserClient u2 = lab.user("sm-u2", VIP, SERVICE_PORT, 60);
                Thread.sleep(2000);
                String fresh = u2.stop();
                assertTrue("a new user is served at the main site: " + fresh, matches(fresh, "\"servers\":\\s*\\[\\s*\"main\"\\s*\\]"));
            } finally {
                unblock(lab);
                restoreLab(lab);
            }
        }
    }

    /** Lab locked, real drivers configured, the workload running at main, a probed plan runnable. */
    private void startWithProbedPlan(LabFixture lab, String plan) throws Exception {
        lab.lock();
        configureDrivers(lab);
        startWorkload(lab.path("lab/run/daemons/pki"));
        writePlan(plan + ".json", probedPlan(plan));
        waitFor("plan " + plan + " runnable with daemon-probe",
                () -> migrations.plan(plan).map(PlanStatus::runnable).orElse(false));
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

    private void configureDrivers(LabFixture lab) throws Exception {
        Path pki = lab.path("lab/run/daemons/pki");
        update(configAdmin.getConfiguration("net.sessionmigration.daemon.driver", "?"), Map.of(
                "servers", new String[] {"main-srv=https://10.99.0.11:7443", "bak-srv=https://10.99.0.12:7443",
                        "probe1=https://10.99.0.31:7443"},
                "keystore", pki.resolve("coordinator.p12").toString(),
                "keystorePasswordRef", "file:" + pki.resolve("store.pass"),
                "truststore", pki.resolve("truststore.p12").toString(),
                "truststorePasswordRef", "file:" + pki.resolve("store.pass"),
                "timeoutSeconds", 60));
        Map<String, String> secrets = lab.env("credentials.env");
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.snmp.credential", "itest-v3", "?"), Map.of(
                "name", "lab-v3", "user", secrets.get("SNMP_V3_SHA256_USER"),
                "auth.protocol", "SHA-256", "auth.passphrase", secrets.get("SNMP_V3_SHA256_AUTH"),
                "priv.protocol", "AES-256", "priv.passphrase", secrets.get("SNMP_V3_SHA256_PRIV")));
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.vlan.qbridge.device", "itest-sw1", "?"), Map.of(
                "name", "sw1", "address", "10.99.1.1", "port", "161", "version", "v3", "credential", "lab-v3",
                "timeout.millis", "1000", "retries", "1", "max.varbinds", "60", "style", "pvid"));
        waitFor("criu-daemon, daemon-probe and snmp-qbridge installed", () -> migrations.drivers().stream()
                .filter(d -> d.installed() && (d.driverType().equals("criu-daemon") || d.driverType().equals("snmp-qbridge")
                        || d.driverType().equals("daemon-probe")))
                .count() == 3);
    }

    /** Asks the main server's daemon to start its workload, as an operator's deployment would. */
    private static void startWorkload(Path pki) throws Exception {
        char[] password = Files.readString(pki.resolve("store.pass")).trim().toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.resolve("coordinator.p12"))) {
            keys.load(in, password);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.resolve("truststore.p12"))) {
            trust.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpResponse<String> answer = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build()
                .send(HttpRequest.newBuilder(URI.create("https://10.99.0.11:7443/v1/workloads/stream/start"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("start the workload at main-srv: " + answer.body(), 200, answer.statusCode());
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

    /** The user client's record: connected, nothing lost, nothing twice, never reset. */
    private static void assertSessionKept(String seen) {
        assertTrue(seen, matches(seen, "\"connected\":\\s*true"));
        assertTrue(seen, matches(seen, "\"missing\":\\s*0\\b"));
        assertTrue(seen, matches(seen, "\"duplicates\":\\s*0\\b"));
        assertTrue(seen, matches(seen, "\"reset\":\\s*false"));
    }

    private static boolean matches(String text, String regex) {
        return Pattern.compile(regex).matcher(text).find();
    }

    private static void update(org.osgi.service.cm.Configuration c, Map<String, Object> values) throws Exception {
        Dictionary<String, Object> props = new Hashtable<>(values);
        c.update(props);
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
