package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final List<Process> users = new ArrayList<>();
    private Configuration rule;
    private boolean labWasUp;

    @Test
    public void usersPassingTheThresholdStartOneReplicate() throws Exception {
        labWasUp = Files.exists(root().resolve("lab/run/lab.env"));
        run("lab/lab", "up");
        run("lab/lab", "workload", "start", "main");
        installSimulatedDrivers();
        writePlan("lab-load.json", Plans.simulated("lab-load", "REPLICATE"));
        waitFor("plan lab-load", () -> migrations.plan("lab-load").map(PlanStatus::runnable).orElse(false));

        connect("sm-u1");
        connect("sm-u2");
        rule = configAdmin.getFactoryConfiguration("net.sessionmigration.trigger.load", "itest-lab", "?");
        Dictionary<String, Object> props = new Hashtable<>(Map.of("name", "lab-load", "plan", "lab-load",
                "threshold", "2.5", "source", "poll", "agent.address", "10.99.0.11", "agent.port", "161",
                "poll.seconds", "2", "service.port", "7000", "snmp.version", "v2c"));
        props.put("community", credential("SNMP_COMMUNITY"));
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
        users.forEach(Process::destroy);
        for (Process p : users) {
            p.waitFor(5, TimeUnit.SECONDS);
        }
        if (!labWasUp) {
            run("lab/lab", "down");
        }
    }

    private List<MigrationRecord> migrationsOf(String plan) {
        return migrations.history(100).stream().filter(r -> r.plan().equals(plan)).toList();
    }

    /** A user at the main site, streaming from v until the test ends. */
    private void connect(String namespace) throws IOException {
        Path record = Files.createTempFile("user-" + namespace, ".json");
        users.add(new ProcessBuilder("ip", "netns", "exec", namespace, root().resolve("lab/tools/user-client").toString(),
                "--host", "10.20.0.100", "--port", "7000", "--duration", "300", "--out", record.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    private static String credential(String name) throws IOException {
        for (String line : Files.readAllLines(root().resolve("lab/run/credentials.env"))) {
            String l = line.startsWith("export ") ? line.substring(7) : line;
            if (l.startsWith(name + "=")) {
                return l.substring(name.length() + 1).replace("'", "").replace("\"", "");
            }
        }
        throw new AssertionError(name + " not in lab/run/credentials.env: is the lab up (lab/lab up)?");
    }

    private static void run(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(command));
        args.set(0, root().resolve(command[0]).toString());
        Process p = new ProcessBuilder(args).directory(root().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(String.join(" ", command) + " did not finish", p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(String.join(" ", command) + " failed (needs root; run lab/setup): " + out, 0, p.exitValue());
    }

    private static Path root() {
        return Path.of(System.getProperty("sm.root"));
    }
}
