package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StartRequest;

/** A plan whose drivers are absent waits for them; installing the driver bundle makes it run, with no restart. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MissingDriverIT extends SessionMigrationTestSupport {

    @Test
    public void planWaitsForItsDriverThenRunsOnceTheBundleIsInstalled() throws Exception {
        assertFalse("the simulated drivers must not be installed at boot",
                features.isInstalled(features.getFeature("sm-simulated-drivers")));
        writePlan("late-drivers.json", Plans.simulated("late-drivers", "MOVE"));
        waitFor("plan late-drivers to load", () -> migrations.plan("late-drivers").isPresent());

        var status = migrations.plan("late-drivers").orElseThrow();
        assertTrue("valid: " + status.errors(), status.valid());
        assertTrue(status.missingDrivers().contains("simulated-mover"));
        assertTrue(status.missingDrivers().contains("simulated-switch"));

        Result<String> refused = admin.start(StartRequest.of("late-drivers", "itest"), e -> { });
        assertFalse(refused.isOk());
        String cause = refused.failure().orElseThrow().cause();
        assertTrue(cause, cause.contains("driver `simulated-mover` not installed"));

        String drivers = execute("migration:drivers --no-format");
        assertTrue(drivers, drivers.contains("simulated-mover"));
        assertTrue(drivers, drivers.contains("late-drivers"));

        installSimulatedDrivers();
        waitFor("plan late-drivers to become runnable",
                () -> migrations.plan("late-drivers").map(p -> p.runnable()).orElse(false));

        String id = admin.start(StartRequest.of("late-drivers", "itest"), e -> { }).orElseThrow();
        MigrationRecord done = admin.await(id, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(MigrationState.SUCCEEDED, done.state());
    }
}
