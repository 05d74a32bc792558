package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * A coordinator dies while a driver is in the middle of a step (after that step's journal
 * record was committed); a new coordinator on the same journal must drive the migration to a
 * safe end: forward once the workload runs or resumes at the target, back otherwise.
 */
class RecoveryTest {
    private static final String PLAN = "evacuate-main";

    @TempDir
    Path dir;
    Lab first;
    Lab second;

    @AfterEach
    void tearDown() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.mover.gates.values().forEach(Gate::open);
            first.snmp.gates.values().forEach(Gate::open);
        }
    }

    /** Runs the plan on a first coordinator until {@code driver}.{@code op} is entered, then crashes it. */
    private String crashDuring(String driver, String op, StartRequest request) {
        first = new Lab(dir).withAllDrivers().plan(Plans.base());
        first.open();
        Gate gate = driver.equals("mover") ? first.mover.hold(op) : first.snmp.hold(op);
        String id = first.start(request);
        gate.awaitEntered();
        first.crash();
        return id;
    }

    private MigrationRecord recover(String id, WorkloadState reportedState) {
        second = first.restartedWithFreshDrivers().withAllDrivers();
        second.mover.state = reportedState;
        second.open();
        return second.await(id);
    }

    static Stream<Arguments> crashPoints() {
        return Stream.of(
                // driver, op, the journal's last step begun, state the mover reports after restart, expected end,
                // the step the rollback undoes from (S704's commit stands for S705-S708), users restored
                Arguments.of("mover", "preflight", Step.S702, WorkloadState.RUNNING_AT_SOURCE, MigrationState.ROLLED_BACK, Step.S702, false),
                Arguments.of("mover", "freeze", Step.S703, WorkloadState.FROZEN_AT_SOURCE, MigrationState.ROLLED_BACK, Step.S703, false),
                Arguments.of("mover", "migrate", Step.S704, WorkloadState.READY_AT_TARGET, MigrationState.ROLLED_BACK, Step.S708, true),
                Arguments.of("mover", "move-vip", Step.S704, WorkloadState.READY_AT_TARGET, MigrationState.ROLLED_BACK, Step.S708, true),
                Arguments.of("snmp", "move", Step.S704, WorkloadState.READY_AT_TARGET, MigrationState.ROLLED_BACK, Step.S708, true),
                Arguments.of("mover", "resume", Step.S710, WorkloadState.READY_AT_TARGET, MigrationState.SUCCEEDED, Step.S710, false),
                Arguments.of("mover", "announce", Step.S710, WorkloadState.RUNNING_AT_TARGET, MigrationState.SUCCEEDED, Step.S710, false));
    }

    @ParameterizedTest(name = "crash during {1} (journalled {2})")
    @MethodSource("crashPoints")
    void anUnfinishedMigrationIsDrivenToASafeEndAfterACrash(String driver, String op, Step journalled,
                                                             WorkloadState state, MigrationState expected,
                                                             Step undoneFrom, boolean usersRestored) {
        String id = crashDuring(driver, op, StartRequest.of(PLAN, "test"));
        MigrationRecord r = recover(id, state);

        assertEquals(expected, r.state(), r::toString);
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("recovery after a coordinator restart (RUNNING at "
                + journalled + ")")), r.notes()::toString);
        if (expected == MigrationState.SUCCEEDED) {
            assertTrue(r.notes().stream().anyMatch(n -> n.contains("finishing forward")), r.notes()::toString);
            assertTrue(second.log.contains("mover:announce"));
            assertTrue(second.log.stream().noneMatch(c -> c.contains("rollback")), second.log::toString);
            assertTrue(r.steps().stream().allMatch(s -> s.outcome() == StepOutcome.DONE), r.steps()::toString);
        } else {
            assertTrue(r.notes().stream().anyMatch(n -> n.contains("rolling back")), r.notes()::toString);
            // S702 only asked (the mover's preflight): nothing to undo at the mover
            assertEquals(journalled != Step.S702, second.log.contains("mover:rollback@" + undoneFrom), second.log::toString);
            assertEquals("coordinator stopped during " + journalled + (undoneFrom == journalled ? ""
                    : " (or up to " + undoneFrom + ")") + "; rolled back at restart", r.failure().orElseThrow().cause());
            assertFalse(second.log.contains("mover:resume") || second.log.contains("mover:announce"));
        }
        assertEquals(usersRestored, second.log.contains("snmp-qbridge:restore:u1,u2"), second.log::toString);
        assertEquals(usersRestored, second.log.contains("netlink-gw:restore:u3"), second.log::toString);
        // the journal kept what the first coordinator recorded before the crash
        assertTrue(r.steps().stream().anyMatch(s -> s.step() == Step.S701 && s.outcome() == StepOutcome.DONE));
        assertTrue(second.coordinator.start(StartRequest.of(PLAN, "t"), e -> { }).isOk(), "the plan is free again");
    }

    @Test
    void aWorkloadAlreadyRunningAtTheTargetIsFinishedForwardEvenBeforeS709() {
        String id = crashDuring("mover", "migrate", StartRequest.of(PLAN, "test"));
        MigrationRecord r = recover(id, WorkloadState.RUNNING_AT_TARGET);
        assertEquals(MigrationState.SUCCEEDED, r.state());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("the driver reports RUNNING_AT_TARGET")), r.notes()::toString);
        // forward from the interrupted step: migrate again (drivers are idempotent), then on
        CallOrder.assertPhases(second.log, List.of(Set.of("mover:state"), Set.of("mover:migrate"),
                Set.of("mover:move-vip"), Set.of("netlink-gw:move:u3", "snmp-qbridge:move:u1,u2"),
                Set.of("mover:resume"), Set.of("mover:announce")));
    }

    @Test
    void aReplicateFinishedForwardAfterACrashMarksTheBackupActive() {
        String id = crashDuring("mover", "resume", StartRequest.of(PLAN, "t").withMode(MigrationMode.REPLICATE));
        MigrationRecord r = recover(id, WorkloadState.READY_AT_TARGET);
        assertEquals(MigrationState.SUCCEEDED, r.state());
        assertEquals(MigrationMode.REPLICATE, r.mode());
        assertTrue(second.coordinator.plan(PLAN).orElseThrow().backupActive());
    }

    @Test
    void aStopWritesNothingMoreAndTheNextStartRecovers() {
        first = new Lab(dir).withAllDrivers().plan(Plans.base());
        first.open();
        Gate gate = first.mover.hold("migrate");
        String id = first.start(PLAN);
        gate.awaitEntered();
        first.coordinator.close(); // bundle stop
        gate.open();               // the driver answers after the stop: nothing may be written

        try (Journal j = Journal.open(first.journalFile, false)) {
            MigrationRecord stored = j.record(id).orElseThrow();
            assertEquals(MigrationState.RUNNING, stored.state());
            StepRecord last = stored.steps().get(stored.steps().size() - 1);
            assertEquals(Step.S704, last.step());
            assertEquals(StepOutcome.IN_PROGRESS, last.outcome());
        }
        MigrationRecord r = recover(id, WorkloadState.READY_AT_TARGET);
        assertEquals(MigrationState.ROLLED_BACK, r.state());
    }

    @Test
    void aRecoveryWaitsForItsDriverAndHoldsThePlanMeanwhile() {
        String id = crashDuring("mover", "migrate", StartRequest.of(PLAN, "test"));
        second = first.restartedWithFreshDrivers();
        second.registry.addSwitcher(second.snmp, DriverRegistry.properties("snmp-qbridge", "t"));
        second.registry.addSwitcher(second.netlink, DriverRegistry.properties("netlink-gw", "t"));
        second.open();
        assertEquals(List.of(id), second.coordinator.running().stream().map(MigrationRecord::id).toList());
        assertTrue(second.coordinator.start(StartRequest.of(PLAN, "t"), e -> { }).failure().orElseThrow().cause()
                .contains("waiting for recovery"));

        second.registry.addMover(second.mover, DriverRegistry.properties("criu-daemon", "t"));
        assertEquals(MigrationState.ROLLED_BACK, second.await(id).state());
    }

    @Test
    void historyAndBackupFlagsSurviveARestart() {
        first = new Lab(dir).withAllDrivers().plan(Plans.base());
        first.open();
        MigrationRecord done = first.await(first.start(StartRequest.of(PLAN, "t").withMode(MigrationMode.REPLICATE)));
        first.coordinator.close();

        second = first.restartedWithFreshDrivers().withAllDrivers();
        second.open();
        assertEquals(done, second.coordinator.migration(done.id()).orElseThrow());
        assertEquals(List.of(done), second.coordinator.history(10));
        assertTrue(second.coordinator.plan(PLAN).orElseThrow().backupActive());
        assertTrue(second.log.isEmpty(), "nothing to recover, no driver called");
    }

    @Test
    void historyIsPrunedToTheConfiguredSize() {
        try (Journal j = Journal.inMemory()) {
            for (int i = 0; i < 5; i++) {
                j.save(new MigrationRecord("m" + i, PLAN, MigrationMode.MOVE, "t", MigrationState.SUCCEEDED, i, i + 1,
                        List.of(), List.of(), java.util.Optional.empty(), List.of()));
            }
            j.save(new MigrationRecord("running", PLAN, MigrationMode.MOVE, "t", MigrationState.RUNNING, 0, 0,
                    List.of(), List.of(), java.util.Optional.empty(), List.of()));
            j.prune(2);
            assertEquals(List.of("m4", "m3", "running"), j.history(10).stream().map(MigrationRecord::id).toList());
        }
    }
}
