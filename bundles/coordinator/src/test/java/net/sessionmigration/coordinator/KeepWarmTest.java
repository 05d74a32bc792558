package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.api.service.MigrationState;

/**
 * Keep-warm: every runnable plan's dry-run (preflight calls only) runs on its own, soon after
 * drivers come, and again and again, but never while a migration runs, and not at all when off.
 */
class KeepWarmTest {
    @TempDir
    Path dir;
    private Lab lab;

    @AfterEach
    void close() {
        if (lab != null) {
            lab.close();
        }
    }

    private long preflights() {
        synchronized (lab.log) {
            return lab.log.stream().filter(l -> l.contains(":preflight")).count();
        }
    }

    private List<String> calls() {
        synchronized (lab.log) {
            return List.copyOf(lab.log);
        }
    }

    private void awaitPreflights(long atLeast) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (preflights() < atLeast && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
    }

    @Test
    void everyRunnablePlansPreflightRunsSoonAfterStartAndAgainWithNothingElseCalled() throws Exception {
        lab = new Lab(dir).withAllDrivers().plan(Plans.base());
        lab.keepWarm = Duration.ofMillis(200);
        lab.open();
        awaitPreflights(4); // the mover and the switch driver each at least twice: the first round and the next
        assertTrue(preflights() >= 4, calls()::toString);
        assertTrue(calls().stream().allMatch(c -> c.contains(":preflight")), "only preflight calls: " + calls());
        assertTrue(lab.coordinator.history(10).isEmpty(), "a dry-run leaves no migration behind");
    }

    @Test
    void noRoundWhileAMigrationRuns() throws Exception {
        lab = new Lab(dir).withAllDrivers().plan(Plans.base());
        lab.keepWarm = Duration.ofMillis(50);
        Gate gate = lab.mover.hold("freeze");
        lab.open();
        awaitPreflights(1);
        String id = lab.start("evacuate-main");
        gate.awaitEntered();
        lab.log.clear();
        Thread.sleep(400); // eight rounds' worth, with the migration held in its freeze
        assertEquals(0, preflights(), "no preflight while a migration runs: " + calls());
        gate.open();
        assertEquals(MigrationState.SUCCEEDED, lab.await(id).state());
    }

    @Test
    void offMeansNoCallAtAll() throws Exception {
        lab = new Lab(dir).withAllDrivers().plan(Plans.base());
        lab.open();
        Thread.sleep(1000);
        assertFalse(calls().stream().anyMatch(c -> c.contains(":preflight")), calls()::toString);
    }
}
