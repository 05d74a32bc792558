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
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.trigger.disaster", "itest", "?"),
                Map.of("name", "itest-ups", "trap.oid", UPS_ON_BATTERY, "plan", "ups-evacuate", "holddown.seconds", "60"));
        // the receiver restarts on the new configuration: its service is briefly absent
        waitFor("receiver on 127.0.0.1:" + port, () -> currentTriggers().map(t ->
                t.statistics().listening().contains("127.0.0.1/" + port)
                && t.rules().stream().anyMatch(r -> r.name().equals("itest-ups") && r.valid())).orElse(false));
    }

    @Test
    public void aBurstOfV3AuthPrivAlarmsStartsOneMigrationAndBadInputStartsNothing() throws Exception {
        garbage(20);
        TrapSetup.snmptrap("-v", "2c", "-c", "wrong-community", "127.0.0.1:" + port, "", UPS_ON_BATTERY);
        TrapSetup.snmptrap("-v", "3", "-l", "authPriv", "-u", "nobody", "-a", "SHA-256", "-A", "no-such-user-pass",
                "-x", "AES-256", "-X", "no-such-user-pass", "127.0.0.1:" + port, "", UPS_ON_BATTERY);
        Thread.sleep(500);
        assertEquals("bad input starts nothing", 0, migrationsOf("ups-evacuate").size());

        for (int i = 0; i < 10; i++) {
            TrapSetup.snmptrap("-v", "3", "-l", "authPriv", "-u", "ups-main", "-a", "SHA-256", "-A", "LAB-ONLY-change-me-auth",
                    "-x", "AES-256", "-X", "LAB-ONLY-change-me-priv", "127.0.0.1:" + port, "", UPS_ON_BATTERY);
        }
        waitFor("the alarm's migration to finish", () -> migrationsOf("ups-evacuate").stream()
                .anyMatch(r -> r.state().finished()));
        Thread.sleep(1000);

        List<MigrationRecord> started = migrationsOf("ups-evacuate");
        assertEquals("one migration for the burst", 1, started.size());
        assertEquals(MigrationState.SUCCEEDED, started.get(0).state());
        assertEquals("trap:itest-ups", started.get(0).trigger());

        Map<String, Map<String, Long>> counts = triggers().statistics().counts();
        assertEquals(Long.valueOf(10), counts.get("v3").get("received"));
        assertEquals(Long.valueOf(1), counts.get("v3").get("matched"));
        assertEquals(Long.valueOf(9), counts.get("v3").get("duplicates"));
        assertTrue(counts.toString(), counts.get("v3").get("authFailures") >= 1);
        assertTrue(counts.toString(), counts.get("v2c").get("authFailures") >= 1);
        long malformed = counts.values().stream().mapToLong(c -> c.getOrDefault("malformed", 0L)).sum();
        assertEquals(counts.toString(), 20, malformed);

        String shown = execute("migration:traps --no-format");
        assertTrue(shown, shown.contains("itest-ups"));
        assertTrue(shown, shown.contains("127.0.0.1"));
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
