package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.TriggerService;

/**
 * Net-SNMP's own snmptrap, sent to the receiver inside the assembly, starts the plan its disaster
 * rule names: once for a burst; garbage and wrong credentials are counted and start nothing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TrapTriggerIT extends SessionMigrationTestSupport {

    private static final String UPS_ON_BATTERY = "1.3.6.1.2.1.33.2.1";
    private static final String UPS_ALARM_ADDED = "1.3.6.1.2.1.33.2.3";

    private int port;

    @Before
    public void receiverOnLoopback() throws Exception {
        installSimulatedDrivers();
        writePlan("ups-evacuate.json", Plans.simulated("ups-evacuate", "MOVE"));
        waitFor("plan ups-evacuate", () -> migrations.plan("ups-evacuate").map(PlanStatus::runnable).orElse(false));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        update(configAdmin.getConfiguration("net.sessionmigration.traps", "?"),
                Map.of("listen.address", "127.0.0.1", "listen.port", Integer.toString(port), "communities", "itest-community"));
        // the assembly ships no SNMP user: the test's own
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.traps.user", "itest-ups", "?"),
                Map.of("user", TrapSetup.V3_USER, "auth.protocol", "SHA-256", "auth.passphrase", TrapSetup.AUTH,
                        "priv.protocol", "AES-256", "priv.passphrase", TrapSetup.PRIV));
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.trigger.disaster", "itest", "?"),
                Map.of("name", "itest-ups", "trap.oid", UPS_ON_BATTERY, "plan", "ups-evacuate", "holddown.seconds", "60"));
        // the receiver restarts on the new configuration: its service is briefly absent
        waitFor("receiver on 127.0.0.1:" + port, () -> currentTriggers().map(t ->
                t.statistics().listening().contains("127.0.0.1/" + port)
                && t.rules().stream().anyMatch(r -> r.name().equals("itest-ups") && r.valid())).orElse(false));
    }

    @Test
    public void aBurstOfV3AuthPrivAlarmsStartsOneMigrationAndBadInputStartsNothing() throws Exception {
        Map<String, Map<String, Long>> before = triggers().statistics().counts(); // counters outlive reconfigurations
        garbage(20);
        TrapSetup.snmptrap("-v", "2c", "-c", "wrong-community", "127.0.0.1:" + port, "", UPS_ON_BATTERY);
        TrapSetup.snmptrap("-v", "3", "-l", "authPriv", "-u", "nobody", "-a", "SHA-256", "-A", "no-such-user-pass",
                "-x", "AES-256", "-X", "no-such-user-pass", "127.0.0.1:" + port, "", UPS_ON_BATTERY);
        Thread.sleep(500);
        assertEquals("bad input starts nothing", 0, migrationsOf("ups-evacuate").size());

        for (int i = 0; i < 10; i++) {
            alarm(UPS_ON_BATTERY);
        }
        waitFor("the alarm's migration to finish", () -> migrationsOf("ups-evacuate").stream()
                .anyMatch(r -> r.state().finished()));
        Thread.sleep(1000);

        List<MigrationRecord> started = migrationsOf("ups-evacuate");
        assertEquals("one migration for the burst", 1, started.size());
        assertEquals(MigrationState.SUCCEEDED, started.get(0).state());
        assertEquals("trap:itest-ups", started.get(0).trigger());

        Map<String, Map<String, Long>> counts = triggers().statistics().counts();
        assertEquals(10, delta(before, counts, "v3", "received"));
        assertEquals(1, delta(before, counts, "v3", "matched"));
        assertEquals(9, delta(before, counts, "v3", "duplicates"));
        assertTrue(counts.toString(), delta(before, counts, "v3", "authFailures") >= 1);
        assertTrue(counts.toString(), delta(before, counts, "v2c", "authFailures") >= 1);
        long malformed = counts.keySet().stream().mapToLong(v -> delta(before, counts, v, "malformed")).sum();
        assertEquals(counts.toString(), 20, malformed);

        String shown = execute("migration:traps --no-format");
        assertTrue(shown, shown.contains("itest-ups"));
        assertTrue(shown, shown.contains("127.0.0.1"));
    }

    /**
     * [safety] One alarm, one migration: the rule's memory is in the journal and the counters are a
     * service of their own, so a reconfiguration of the receiver and a restart of its bundle
     * neither re-arm the rule nor zero the counts.
     */
    @Test
    public void anAlarmFiresOnceAcrossAReconfigurationAndABundleRestart() throws Exception {
        writePlan("ups-evacuate-2.json", Plans.simulated("ups-evacuate-2", "MOVE"));
        waitFor("plan ups-evacuate-2", () -> migrations.plan("ups-evacuate-2").map(PlanStatus::runnable).orElse(false));
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.trigger.disaster", "itest-2", "?"),
                Map.of("name", "itest-ups-2", "trap.oid", UPS_ALARM_ADDED, "plan", "ups-evacuate-2",
                        "holddown.seconds", "1"));
        waitFor("rule itest-ups-2", () -> currentTriggers().map(t -> t.rules().stream()
                .anyMatch(r -> r.name().equals("itest-ups-2") && r.valid())).orElse(false));
        alarm(UPS_ALARM_ADDED);
        waitFor("the alarm's migration to finish", () -> migrationsOf("ups-evacuate-2").stream()
                .anyMatch(r -> r.state().finished()));
        long received = triggers().statistics().counts().get("v3").get("received");
        Thread.sleep(1500); // past the rule's hold-down: only its memory keeps it from firing again

        update(configAdmin.getConfiguration("net.sessionmigration.traps", "?"), Map.of("listen.address", "127.0.0.1",
                "listen.port", Integer.toString(port), "communities", "itest-community", "queue.capacity", "5000"));
        waitFor("the receiver reconfigured", () -> currentTriggers().map(t -> t.statistics().queueCapacity() == 5000
                && t.rules().stream().anyMatch(r -> r.name().equals("itest-ups-2"))).orElse(false));
        assertTrue("counters kept: " + triggers().statistics().counts(),
                triggers().statistics().counts().get("v3").get("received") >= received);
        var rule = triggers().rules().stream().filter(r -> r.name().equals("itest-ups-2")).findFirst().orElseThrow();
        assertEquals(1, rule.fired());
        alarm(UPS_ALARM_ADDED);

        org.osgi.framework.Bundle receiver = java.util.Arrays.stream(bundleContext.getBundles())
                .filter(b -> String.valueOf(b.getSymbolicName()).endsWith("trap-receiver"))
                .findFirst().orElseThrow(() -> new AssertionError("no trap-receiver bundle"));
        receiver.stop();
        receiver.start();
        waitFor("the receiver back after its bundle restarted", () -> currentTriggers().map(t ->
                t.statistics().listening().contains("127.0.0.1/" + port)
                && t.rules().stream().anyMatch(r -> r.name().equals("itest-ups-2"))).orElse(false));
        alarm(UPS_ALARM_ADDED);
        Thread.sleep(1500);

        assertEquals("one alarm, one migration: " + migrationsOf("ups-evacuate-2"), 1,
                migrationsOf("ups-evacuate-2").size());
        String state = triggers().rules().stream().filter(r -> r.name().equals("itest-ups-2")).findFirst()
                .orElseThrow().state();
        assertTrue(state, state.contains("already done") || state.contains("kept in the journal"));
        assertTrue("the kernel's drops are shown", triggers().statistics().kernelDrops() >= 0);
    }

    private void alarm(String oid) throws Exception {
        TrapSetup.snmptrap("-v", "3", "-l", "authPriv", "-u", TrapSetup.V3_USER, "-a", "SHA-256", "-A", TrapSetup.AUTH,
                "-x", "AES-256", "-X", TrapSetup.PRIV, "127.0.0.1:" + port, "", oid);
    }

    private static long delta(Map<String, Map<String, Long>> before, Map<String, Map<String, Long>> after, String version,
                              String outcome) {
        return after.getOrDefault(version, Map.of()).getOrDefault(outcome, 0L)
                - before.getOrDefault(version, Map.of()).getOrDefault(outcome, 0L);
    }

    /** The receiver's component restarts when its configuration changes: always ask for the current one. */
    private TriggerService triggers() {
        return currentTriggers().orElseThrow(
                () -> new AssertionError("no TriggerService registered: is sm-trap-receiver installed?"));
    }

    private Optional<TriggerService> currentTriggers() {
        var ref = bundleContext.getServiceReference(TriggerService.class);
        return ref == null ? Optional.empty() : Optional.ofNullable(bundleContext.getService(ref));
    }

    private List<MigrationRecord> migrationsOf(String plan) {
        return migrations.history(100).stream().filter(r -> r.plan().equals(plan)).toList();
    }

    private void garbage(int datagrams) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int i = 0; i < datagrams; i++) {
                byte[] junk = ("not an SNMP message " + i).getBytes();
                socket.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), port));
            }
        }
    }
}
