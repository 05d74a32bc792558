package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StartRequest;

/**
 * [integrators] A driver an integrator built against the api alone (examples/vlan-example, the
 * module to copy) dropped into the running assembly's {@code deploy/}: the plan that names its
 * type turns runnable with no restart, a migration moves the ports through it, and taking the
 * jar away brings back "driver not installed".
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployedDriverIT extends SessionMigrationTestSupport {
    private static final String PLAN = "deployed-driver";

    @Test
    public void aDriverJarDroppedIntoDeployRunsThePlanThatNamesIt() throws Exception {
        Path target = Path.of(System.getProperty("sm.root"), "examples", "vlan-example", "target");
        Path jar;
        try (var files = Files.list(target)) { // sm-example-vlan-driver-VERSION.jar, built before the itests
            jar = files.filter(f -> f.getFileName().toString().matches("sm-example-vlan-driver-[^-].*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no example driver jar in " + target
                            + ": build it first (mvn verify at the root builds it before the itests)"));
        }
        installSimulatedDrivers(); // the workload mover; the ports go through the deployed driver
        Path table = Files.createTempFile("sw-" + PLAN, ".vlans");
        Files.writeString(table, "vlans = 1, 2\nport.1 = 1\nport.2 = 1\nport.3 = 1\n");
        update(configAdmin.getConfiguration("org.example.vlan", "?"), Map.of("devices", "sw-" + PLAN + "=" + table));
        writePlan(PLAN + ".json", Plans.plan(PLAN, "MOVE", "simulated-mover", "example-vlan"));
        waitFor("plan " + PLAN + " to load", () -> migrations.plan(PLAN).isPresent());
        assertTrue(migrations.plan(PLAN).orElseThrow().missingDrivers().contains("example-vlan"));

        Path deployed = Path.of(System.getProperty("karaf.base"), "deploy", jar.getFileName().toString());
        Files.copy(jar, deployed, StandardCopyOption.REPLACE_EXISTING);
        try {
            waitFor("plan " + PLAN + " to become runnable once the jar is in deploy/",
                    () -> migrations.plan(PLAN).map(p -> p.runnable()).orElse(false));
            String id = admin.start(StartRequest.of(PLAN, "itest"), e -> { }).orElseThrow();
            MigrationRecord done = admin.await(id, Duration.ofSeconds(30)).orElseThrow();
            assertEquals(done.toString(), MigrationState.SUCCEEDED, done.state());
            String after = Files.readString(table);
            assertTrue(after, after.contains("port.1 = 2") && after.contains("port.2 = 2") && after.contains("port.3 = 2"));
            assertTrue("the driver's own operations are in the history: " + done.operations(), done.operations().stream()
                    .anyMatch(o -> o.driverType().equals("example-vlan") && o.operation().equals("move")));
        } finally {
            Files.deleteIfExists(deployed);
        }
        waitFor("plan " + PLAN + " to miss its driver again once the jar is gone",
                () -> migrations.plan(PLAN).map(p -> p.missingDrivers().contains("example-vlan")).orElse(false));
        Files.deleteIfExists(table);
    }
}
