package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StepOutcome;

/** S702 asks every driver what dry-run asks; the freeze budget; switch groups of several driver types at once. */
class StartChecksTest {
    private static final String PLAN = "evacuate-main";

    @TempDir
    Path dir;
    Lab lab;

    @AfterEach
    void close() {
        if (lab != null) {
            lab.close();
        }
    }

    private Lab lab(ObjectNode plan) {
        lab = new Lab(dir).withAllDrivers().plan(plan);
        lab.open();
        return lab;
    }

    private static StepOutcome outcome(MigrationRecord r, Step s) {
        return r.step(s).orElseThrow(() -> new AssertionError(s + " not recorded in " + r.steps())).outcome();
    }

    @Test
    void aPortOffItsFromVlanRefusesTheStartBeforeAnythingMoves() {
        lab(Plans.base());
        lab.snmp.failOn.add("preflight"); // the fake's preflight then says "port 9 is on VLAN 7"
        assertFalse(lab.coordinator.dryRun(PLAN).go());

        MigrationRecord r = lab.run(PLAN);

        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertEquals(StepOutcome.FAILED, outcome(r, Step.S702));
        assertEquals("port 9 is on VLAN 7", r.failure().orElseThrow().cause());
        assertTrue(lab.log.stream().noneMatch(c -> c.contains(":move") || c.contains(":restore") || c.equals("mover:freeze")),
                "nothing moved, so nothing is put back: " + lab.log);
        assertEquals(0, r.expectedFreezeMicros());
    }

    @Test
    void anEstimateOverTheFreezeBudgetIsNoGoAndDoesNotStart() {
        ObjectNode plan = Plans.base();
        plan.with("workload").put("maxFreezeMs", 50); // the fakes expect 100 + 20 + 20 ms
        lab(plan);

        DryRunReport dry = lab.coordinator.dryRun(PLAN);
        assertFalse(dry.go());
        assertEquals("estimated freeze window 140 ms is over the plan's budget workload.maxFreezeMs 50 ms",
                dry.problems().get(0).cause(), dry::toString);

        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertEquals(StepOutcome.FAILED, outcome(r, Step.S702));
        assertFalse(lab.log.contains("mover:freeze"), lab.log::toString);
    }

    @Test
    void theEstimateWithinBudgetIsKeptBesideTheActualFreeze() {
        ObjectNode plan = Plans.base();
        plan.with("workload").put("maxFreezeMs", 1000);
        lab(plan);

        DryRunReport dry = lab.coordinator.dryRun(PLAN);
        assertTrue(dry.go(), dry::toString);
        assertEquals(140, dry.estimatedFreezeWindow().toMillis());
        assertTrue(dry.notes().contains("freeze budget: estimated 140 ms of workload.maxFreezeMs 1000 ms"),
                dry.notes()::toString);

        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        assertEquals(140_000, r.expectedFreezeMicros());
        long actual = r.actualFreezeMicros().orElseThrow();
        assertEquals(r.step(Step.S710).orElseThrow().endMicros() - r.step(Step.S703).orElseThrow().startMicros(), actual);
        assertEquals(r, lab.coordinator.history(1).get(0), "the journal keeps the estimate");
    }

    @Test
    void theEstimateLearnsWhatTheDriversDoNotSeeFromThePlansLastMigrations() {
        lab(Plans.base());
        MigrationRecord first = lab.run(PLAN);
        assertEquals(140_000, first.expectedFreezeMicros(), "the drivers' estimates only: no history yet");
        long actual = first.actualFreezeMicros().orElseThrow();

        DryRunReport dry = lab.coordinator.dryRun(PLAN);
        assertEquals(actual, dry.estimatedFreezeWindow().toNanos() / 1000,
                "140 ms of drivers' estimates plus what the last migration took beyond them: " + dry.notes());
        assertTrue(dry.notes().stream().anyMatch(n -> n.startsWith("freeze estimate: drivers 140 ms ")
                && n.contains("the last 1 migration(s) of this plan")), dry.notes()::toString);
        assertEquals(actual, lab.run(PLAN).expectedFreezeMicros(), "S702 estimates the same way");
    }

    @Test
    void switchGroupsOfDifferentDriverTypesMoveAtOnce() {
        lab(Plans.base());
        Gate snmp = lab.snmp.hold("move");
        Gate netlink = lab.netlink.hold("move");
        String id = lab.start(PLAN);
        // each move waits at its gate: had they run one after the other, the second would never arrive
        snmp.awaitEntered();
        netlink.awaitEntered();
        snmp.open();
        netlink.open();

        MigrationRecord r = lab.await(id);
        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        assertEquals(VlanId.of(2), lab.snmp.vlans.values().iterator().next());
        assertEquals(VlanId.of(20), lab.netlink.vlans.values().iterator().next());
    }
}
