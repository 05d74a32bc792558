package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;

/**
 * The seed's load case on the real lab: users connect to v at the main site; the load rule in
 * Karaf polls the main server's real snmpd (TCP-MIB) and, once the count passes 2.5 while the
 * backup is not active, starts the plan in REPLICATE — once, until the flag is reset.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LoadOnLabIT extends SessionMigrationTestSupport {

    private LabFixture lab;
    private final List<LabFixture.UserClient> users = new ArrayList<>();
    private Configuration rule;

    @Test
    public void usersPassingTheThresholdStartOneReplicate() throws Exception {
        lab = new LabFixture();
        lab.run(60, "lab/lab", "workload", "start", "main");
        installSimulatedDrivers();
        writePlan("lab-load.json", Plans.simulated("lab-load", "REPLICATE"));
        waitFor("plan lab-load", () -> migrations.plan("lab-load").map(PlanStatus::runnable).orElse(false));

        connect("sm-u1");
        connect("sm-u2");
        rule = configAdmin.getFactoryConfiguration("net.sessionmigration.trigger.load", "itest-lab", "?");
        Dictionary<String, Object> props = new Hashtable<>(Map.of("name", "lab-load", "plan", "lab-load",
                "threshold", "2.5", "source", "poll", "agent.address", "10.99.0.11", "agent.port", "161",
                "poll.seconds", "2", "service.port", "7000", "snmp.version", "v2c"));
        props.put("community", lab.env("credentials.env").get("SNMP_COMMUNITY"));
        rule.update(props);

        Thread.sleep(8000);
        assertEquals("two users are below the threshold", 0, migrationsOf("lab-load").size());

        connect("sm-u3");
        // Net-SNMP caches the TCP connection table for up to a minute: allow for it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (migrationsOf("lab-load").stream().noneMatch(r -> r.state().finished())) {
            assertTrue("no REPLICATE within 120 s of the third user connecting", System.nanoTime() < deadline);
            Thread.sleep(500);
        }
        Thread.sleep(8000);

        List<MigrationRecord> started = migrationsOf("lab-load");
        assertEquals("fires once while the backup is active", 1, started.size());
        assertEquals(MigrationState.SUCCEEDED, started.get(0).state());
        assertEquals("load:lab-load", started.get(0).trigger());
        assertTrue(migrations.plan("lab-load").orElseThrow().backupActive());
    }

    @After
    public void cleanUp() throws Exception {
        if (rule != null) {
            rule.delete();
        }
        for (LabFixture.UserClient u : users) {
            u.stop();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private List<MigrationRecord> migrationsOf(String plan) {
        return migrations.history(100).stream().filter(r -> r.plan().equals(plan)).toList();
    }

    /** A user at the main site, streaming from v until the test ends. */
    private void connect(String namespace) throws IOException {
        users.add(lab.user(namespace, "10.20.0.100", 7000, 300));
    }
}
