package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;

class SequenceTest {
    private static final String PLAN = "evacuate-main";

    @TempDir
    Path dir;
    Lab lab;

    Lab lab(ObjectNode plan) {
        lab = new Lab(dir).withAllDrivers().plan(plan);
        lab.open();
        return lab;
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private static StepOutcome outcome(MigrationRecord r, Step s) {
        return r.steps().stream().filter(x -> x.step() == s).map(StepRecord::outcome).findFirst()
                .orElseThrow(() -> new AssertionError(s + " not recorded in " + r.steps()));
    }

    private int indexOf(String entry) {
        int i = lab.log.indexOf(entry);
        assertTrue(i >= 0, () -> entry + " not called; calls were " + lab.log);
        return i;
    }

    @Test
    void aMoveRunsEveryStepInOrderAndAnnouncesOnlyAfterTheSwitch() {
        lab(Plans.base());
        List<MigrationEvent> mine = Collections.synchronizedList(new ArrayList<>());
        String id = lab.coordinator.start(StartRequest.of(PLAN, "operator:test"), mine::add).orElseThrow();
        MigrationRecord r = lab.await(id);

        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        assertEquals(List.of(Step.values()), r.steps().stream().map(StepRecord::step).toList());
        r.steps().forEach(s -> assertEquals(StepOutcome.DONE, s.outcome(), s::toString));
        CallOrder.assertPhases(lab.log, List.of(
                Set.of("mover:preflight", "netlink-gw:preflight:u3", "snmp-qbridge:preflight:u1,u2"),
                Set.of("mover:freeze"), Set.of("mover:migrate"), Set.of("mover:move-vip"),
                Set.of("netlink-gw:move:u3", "snmp-qbridge:move:u1,u2"), Set.of("mover:resume"), Set.of("mover:announce")));
        assertEquals(VlanId.of(2), lab.snmp.vlans.get(new AccessPort("sw1", "1")));
        assertEquals(VlanId.of(20), lab.netlink.vlans.get(new AccessPort("gw1", "eth1")));
        assertEquals("operator:test", r.trigger());
        assertTrue(r.failure().isEmpty());

        // flight recorder: every driver call with its device and times, plus what drivers reported themselves
        List<String> ops = r.operations().stream().map(o -> o.step() + " " + o.device() + " " + o.operation()).toList();
        assertTrue(ops.containsAll(List.of("S702 main-srv preflight", "S702 sw1 preflight", "S702 gw1 preflight", "S703 main-srv freeze", "S704 backup-srv migrate",
                "S704 main-srv criu dump", "S705 main-srv move-virtual-ip", "S708 sw1 move", "S708 gw1 move",
                "S710 backup-srv resume", "S710 backup-srv announce")), ops::toString);
        for (OperationRecord o : r.operations()) {
            assertTrue(o.startMicros() > 1_600_000_000_000_000L && o.endMicros() >= o.startMicros(), o::toString);
        }
        assertTrue(r.endMicros() >= r.startMicros());

        // events: the per-start listener sees S701 to FINISHED, progress included
        List<MigrationEvent.Kind> kinds = mine.stream().map(MigrationEvent::kind).toList();
        assertEquals(MigrationEvent.Kind.FINISHED, kinds.get(kinds.size() - 1));
        assertTrue(mine.stream().anyMatch(e -> e.kind() == MigrationEvent.Kind.PROGRESS
                && e.step() == Step.S704 && e.message().contains("copied")), mine::toString);
        assertEquals(11, mine.stream().filter(e -> e.kind() == MigrationEvent.Kind.STEP_DONE).count());
        assertTrue(lab.events.stream().anyMatch(e -> e.kind() == MigrationEvent.Kind.FINISHED && e.migrationId().equals(id)),
                "global listeners get the events too");

        assertEquals(r, lab.coordinator.history(10).get(0));
        assertTrue(lab.coordinator.running().isEmpty());
    }

    @Test
    void aPlanWithoutFreezeOrVipMoveSkipsThoseStepsAndStillAnnouncesAfterTheSwitch() {
        ObjectNode plan = Plans.base();
        plan.with("workload").put("freeze", false).put("moveVirtualIp", false);
        lab(plan);
        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.SUCCEEDED, r.state());
        assertEquals(StepOutcome.SKIPPED, outcome(r, Step.S703));
        assertEquals(StepOutcome.SKIPPED, outcome(r, Step.S705));
        assertEquals(StepOutcome.SKIPPED, outcome(r, Step.S709));
        assertEquals(StepOutcome.DONE, outcome(r, Step.S710));
        assertFalse(lab.log.contains("mover:freeze") || lab.log.contains("mover:resume") || lab.log.contains("mover:move-vip"),
                lab.log::toString);
        assertTrue(indexOf("mover:announce") > indexOf("snmp-qbridge:move:u1,u2"));
        assertTrue(lab.events.stream().anyMatch(e -> e.kind() == MigrationEvent.Kind.STEP_SKIPPED && e.step() == Step.S703));
    }

    /** The operation to fail, the step it belongs to, whether users had been (or were being) moved. */
    static Stream<Arguments> failingSteps() {
        return Stream.of(
                Arguments.of("preflight", Step.S702, "main-srv", List.of()),
                Arguments.of("freeze", Step.S703, "backup-srv", List.of()),
                Arguments.of("migrate", Step.S704, "backup-srv", List.of()),
                Arguments.of("move-vip", Step.S705, "backup-srv", List.of()),
                Arguments.of("snmp-move", Step.S708, "sw1", List.of("snmp-qbridge:restore:u1,u2", "netlink-gw:restore:u3")),
                Arguments.of("resume", Step.S710, "backup-srv", List.of("snmp-qbridge:restore:u1,u2", "netlink-gw:restore:u3")));
    }

    @ParameterizedTest(name = "{1} fails")
    @MethodSource("failingSteps")
    void aFailingStepRollsBackNamingTheDeviceAndRestoresMovedUsers(String op, Step step, String device,
                                                                  List<String> restores) {
        lab(Plans.base());
        if (op.equals("snmp-move")) {
            lab.snmp.failOn.add("move");
        } else {
            lab.mover.failOn.add(op);
        }
        MigrationRecord r = lab.run(PLAN);

        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        Problem p = r.failure().orElseThrow();
        assertEquals(device, p.device(), p::toString);
        assertEquals(StepOutcome.FAILED, outcome(r, step));
        assertTrue(r.steps().stream().noneMatch(s -> s.step().compareTo(step) > 0), "no step after the failing one");
        // the mover undoes everything up to the failing step; at S702 (its preflight) it has done nothing
        assertEquals(step == Step.S702 ? null : step, lab.mover.rolledBackFrom, "the mover's rollback");
        assertTrue(lab.log.containsAll(restores), lab.log::toString);
        if (restores.isEmpty()) {
            assertTrue(lab.log.stream().noneMatch(c -> c.contains(":restore:")), lab.log::toString);
        } else {
            assertTrue(indexOf(restores.get(0)) < indexOf("mover:rollback@" + step),
                    "users are put back before the workload resumes at the source");
        }
        assertFalse(lab.log.contains("mover:announce"));
        // every port is where it started
        lab.snmp.vlans.values().forEach(v -> assertEquals(VlanId.of(1), v));
        lab.netlink.vlans.values().forEach(v -> assertEquals(VlanId.of(10), v));
        assertTrue(r.steps().stream().filter(s -> s.step() != Step.S701 && s.step().compareTo(step) < 0)
                .allMatch(s -> s.outcome() == StepOutcome.UNDONE || s.outcome() == StepOutcome.SKIPPED), r.steps()::toString);
        assertTrue(lab.events.stream().anyMatch(e -> e.kind() == MigrationEvent.Kind.ROLLBACK));
    }

    @Test
    void aSwitchFailingOnTheSecondDeviceRestoresBothGroups() {
        lab(Plans.base());
        lab.snmp.failOn.add("move"); // netlink-gw (sorted first) has already moved u3
        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.ROLLED_BACK, r.state());
        assertEquals(VlanId.of(10), lab.netlink.vlans.get(new AccessPort("gw1", "eth1")));
        assertTrue(indexOf("snmp-qbridge:restore:u1,u2") < indexOf("netlink-gw:restore:u3"), "restored in reverse order");
    }

    @Test
    void aFailingAnnounceIsNotedButDoesNotUndoAFinishedSwitch() {
        lab(Plans.base());
        lab.mover.failOn.add("announce");
        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.SUCCEEDED, r.state());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("announce failed")), r.notes()::toString);
    }

    @Test
    void aFailedRollbackEndsFailedWithBothProblems() {
        lab = new Lab(dir).withAllDrivers().plan(Plans.base());
        lab.stepTimeout = Duration.ofSeconds(3); // the retry window of a failing rollback call
        lab.open();
        lab.mover.failOn.add("resume");
        lab.snmp.failOn.add("restore");
        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.FAILED, r.state());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("restore of the users' ports via snmp-qbridge failed")
                && n.contains("retried every 2 s")), r.notes()::toString);
        assertEquals("backup-srv", r.failure().orElseThrow().device());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("cause: backup-srv: resume broke")), r.notes()::toString);
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("rollback failed: sw1: restore refused")), r.notes()::toString);
        assertTrue(lab.log.contains("mover:rollback@S710"), "the rest of the rollback still runs");
    }

    @Test
    void aDriverThatDoesNotAnswerInTimeCountsAsFailed() {
        lab = new Lab(dir).withAllDrivers().plan(Plans.base());
        lab.stepTimeout = Duration.ofMillis(300);
        lab.open();
        lab.mover.hold("migrate"); // never opened until tear-down
        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.ROLLED_BACK, r.state());
        assertEquals(StepOutcome.FAILED, outcome(r, Step.S704));
        assertTrue(r.failure().orElseThrow().cause().contains("migrate did not answer within 300 ms"), r::toString);
    }

    /** Abort requested while the driver works on the step before: honoured at the next boundary. */
    static Stream<Arguments> abortPoints() {
        return Stream.of(
                Arguments.of("mover", "preflight", Step.S703, false),
                Arguments.of("mover", "freeze", Step.S704, false),
                Arguments.of("mover", "migrate", Step.S705, false),
                Arguments.of("mover", "move-vip", Step.S706, false),
                Arguments.of("snmp", "move", Step.S709, true));
    }

    @ParameterizedTest(name = "abort during {1}")
    @MethodSource("abortPoints")
    void anAbortBeforeResumeRollsBackAtTheNextStepBoundary(String driver, String op, Step before, boolean usersMoved) {
        lab(Plans.base());
        Gate gate = driver.equals("mover") ? lab.mover.hold(op) : lab.snmp.hold(op);
        String id = lab.start(PLAN);
        gate.awaitEntered();
        Result<String> answer = lab.coordinator.abort(id);
        assertTrue(answer.orElseThrow().contains("rolls back"), answer::toString);
        gate.open();
        MigrationRecord r = lab.await(id);
        assertEquals(MigrationState.ROLLED_BACK, r.state());
        assertEquals("operator", r.failure().orElseThrow().device());
        assertEquals("aborted by the operator before " + before, r.failure().orElseThrow().cause());
        assertTrue(r.steps().stream().noneMatch(s -> s.step().compareTo(before) >= 0), r.steps()::toString);
        assertEquals(usersMoved, lab.log.contains("snmp-qbridge:restore:u1,u2"), lab.log::toString);
        assertFalse(lab.log.contains("mover:resume"));
    }

    @Test
    void anAbortOnceResumeHasBegunFinishesForward() {
        lab(Plans.base());
        Gate gate = lab.mover.hold("resume");
        String id = lab.start(PLAN);
        gate.awaitEntered();
        Result<String> answer = lab.coordinator.abort(id);
        assertTrue(answer.orElseThrow().contains("finishes forward"), answer::toString);
        gate.open();
        assertEquals(MigrationState.SUCCEEDED, lab.await(id).state());
    }

    @Test
    void abortOfAnUnknownOrFinishedMigrationSaysSo() {
        lab(Plans.base());
        String id = lab.start(PLAN);
        lab.await(id);
        assertTrue(lab.coordinator.abort(id).failure().orElseThrow().cause().contains("already finished"));
        assertTrue(lab.coordinator.abort("nope").failure().orElseThrow().cause().contains("no migration `nope`"));
    }

    @Test
    void replicateSwitchesOnlyNearUsersMarksTheBackupActiveAndDoesNotRunTwiceUntilReset() {
        lab(Plans.base());
        StartRequest replicate = StartRequest.of(PLAN, "trap:load").withMode(MigrationMode.REPLICATE);
        MigrationRecord r = lab.await(lab.start(replicate));
        assertEquals(MigrationState.SUCCEEDED, r.state());
        assertEquals(MigrationMode.REPLICATE, r.mode());
        assertTrue(lab.log.contains("snmp-qbridge:move:u1"), lab.log::toString);
        assertTrue(lab.log.stream().noneMatch(c -> c.contains("u2") || c.contains("u3")), lab.log::toString);
        assertEquals(VlanId.of(1), lab.snmp.vlans.getOrDefault(new AccessPort("sw1", "2"), VlanId.of(1)));
        assertTrue(lab.coordinator.plan(PLAN).orElseThrow().backupActive());

        Result<String> again = lab.coordinator.start(replicate, e -> { });
        assertTrue(again.failure().orElseThrow().cause().contains("already active"), again::toString);

        assertTrue(lab.coordinator.resetBackupActive(PLAN).isOk());
        assertFalse(lab.coordinator.plan(PLAN).orElseThrow().backupActive());
        assertEquals(MigrationState.SUCCEEDED, lab.await(lab.start(replicate)).state());
    }

    @Test
    void replicateIsRefusedWhenTheDriverCannotReplicate() {
        lab(Plans.base());
        lab.mover.capabilities = new net.sessionmigration.api.driver.MoverCapabilities(true, false, true);
        Result<String> r = lab.coordinator.start(StartRequest.of(PLAN, "t").withMode(MigrationMode.REPLICATE), e -> { });
        assertTrue(r.failure().orElseThrow().cause().contains("driver `criu-daemon` cannot replicate"), r::toString);
        assertTrue(lab.log.isEmpty(), "nothing was called");
    }

    @Test
    void capabilityConflictsMakeThePlanInvalid() {
        lab(Plans.base());
        lab.mover.capabilities = new net.sessionmigration.api.driver.MoverCapabilities(false, true, false);
        var status = lab.coordinator.plan(PLAN).orElseThrow();
        assertFalse(status.valid());
        assertEquals(List.of("workload.freeze", "workload.moveVirtualIp"),
                status.errors().stream().map(e -> e.field()).toList());
        Result<String> r = lab.coordinator.start(StartRequest.of(PLAN, "t"), e -> { });
        assertTrue(r.failure().orElseThrow().cause().contains("cannot freeze"), r::toString);
    }

    @Test
    void onlyOneMigrationPerPlanAtATime() {
        lab(Plans.base());
        Gate gate = lab.mover.hold("migrate");
        String id = lab.start(PLAN);
        gate.awaitEntered();
        Result<String> second = lab.coordinator.start(StartRequest.of(PLAN, "t"), e -> { });
        assertEquals("plan `evacuate-main` already has migration " + id + " running",
                second.failure().orElseThrow().cause());
        assertEquals(List.of(id), lab.coordinator.running().stream().map(MigrationRecord::id).toList());
        gate.open();
        lab.await(id);
        assertNotEquals(id, lab.start(PLAN), "the plan is free again once the first has finished");
    }

    @Test
    void aMissingDriverIsReportedAndInstallingItMakesThePlanRunnable() {
        lab = new Lab(dir).plan(Plans.base());
        lab.registry.addSwitcher(lab.snmp, DriverRegistry.properties("snmp-qbridge", "test"));
        lab.open();
        var status = lab.coordinator.plan(PLAN).orElseThrow();
        assertTrue(status.valid());
        assertFalse(status.runnable());
        assertEquals(List.of("criu-daemon", "netlink-gw"), status.missingDrivers());
        Result<String> r = lab.coordinator.start(StartRequest.of(PLAN, "t"), e -> { });
        assertEquals("driver `criu-daemon` not installed; driver `netlink-gw` not installed",
                r.failure().orElseThrow().cause());

        var drivers = lab.coordinator.drivers();
        assertTrue(drivers.stream().anyMatch(d -> d.driverType().equals("criu-daemon") && !d.installed()
                && d.capability().equals(DriverRegistry.MOVER) && d.plans().equals(List.of(PLAN))), drivers::toString);
        assertTrue(drivers.stream().anyMatch(d -> d.driverType().equals("snmp-qbridge") && d.installed()
                && d.vendor().equals("test")), drivers::toString);

        lab.registry.addMover(lab.mover, DriverRegistry.properties("criu-daemon", "test"));
        lab.registry.addSwitcher(lab.netlink, DriverRegistry.properties("netlink-gw", "test"));
        assertTrue(lab.coordinator.plan(PLAN).orElseThrow().runnable());
        assertEquals(MigrationState.SUCCEEDED, lab.run(PLAN).state());

        lab.registry.removeSwitcher(lab.netlink, DriverRegistry.properties("netlink-gw", "test"));
        assertEquals(List.of("netlink-gw"), lab.coordinator.plan(PLAN).orElseThrow().missingDrivers());
    }

    @Test
    void aDriverRemovedDuringTheRunFailsItsStepCleanly() {
        lab(Plans.base());
        Gate gate = lab.mover.hold("migrate");
        String id = lab.start(PLAN);
        gate.awaitEntered();
        lab.registry.removeSwitcher(lab.snmp, DriverRegistry.properties("snmp-qbridge", "test"));
        gate.open();
        MigrationRecord r = lab.await(id);
        assertEquals(MigrationState.ROLLED_BACK, r.state());
        assertEquals(StepOutcome.FAILED, outcome(r, Step.S707));
        assertEquals("driver `snmp-qbridge` not installed", r.failure().orElseThrow().cause());
    }

    @Test
    void unknownAndInvalidPlansAreRefusedWithOneLine() {
        lab(Plans.base());
        assertEquals("no plan named `ghost`",
                lab.coordinator.start(StartRequest.of("ghost", "t"), e -> { }).failure().orElseThrow().cause());
        lab.write("broken.json", Plans.text(Plans.named("broken").put("virtualIp", "nope")));
        Problem p = lab.coordinator.start(StartRequest.of("broken", "t"), e -> { }).failure().orElseThrow();
        assertEquals("broken.json", p.device());
        assertTrue(p.cause().startsWith("plan `broken` cannot run: virtualIp = 'nope': not an IPv4"), p::toString);
    }

    @Test
    void planChangesOnDiskArePickedUp() throws Exception {
        lab(Plans.base());
        assertEquals(1, lab.coordinator.plans().size());
        lab.write("second.json", Plans.text(Plans.named("second")));
        lab.write("bad.json", "{");
        Map<String, Boolean> valid = new java.util.TreeMap<>();
        lab.coordinator.plans().forEach(s -> valid.put(s.name(), s.valid()));
        assertEquals(Map.of("bad", false, "evacuate-main", true, "second", true), valid);
        java.nio.file.Files.delete(lab.plansDir.resolve("second.json"));
        lab.write("bad.json", Plans.text(Plans.named("bad")));
        valid.clear();
        lab.coordinator.plans().forEach(s -> valid.put(s.name(), s.valid()));
        assertEquals(Map.of("bad", true, "evacuate-main", true), valid);
    }

    @Test
    void validateChecksAFileOfThePlansFolder() throws Exception {
        lab(Plans.base());
        Path draft = lab.plansDir.resolve("draft.json");
        java.nio.file.Files.writeString(draft, Plans.text(Plans.base()));
        var status = lab.coordinator.validate(Path.of("draft.json"));
        assertFalse(status.valid());
        assertEquals("name", status.errors().get(0).field());
        java.nio.file.Files.writeString(draft, Plans.text(Plans.named("draft")));
        assertTrue(lab.coordinator.validate(draft).runnable());
        assertFalse(lab.coordinator.validate(Path.of("absent.json")).valid());
    }

    @Test
    void aDryRunCallsOnlyPreflightsAndSumsTheExpectedDurations() {
        lab(Plans.base());
        var report = lab.coordinator.dryRun(PLAN);
        assertTrue(report.go(), report::toString);
        assertEquals(Duration.ofMillis(140), report.estimatedFreezeWindow());
        assertEquals(Duration.ofMillis(40), report.estimatedUserBlackout());
        assertTrue(report.notes().contains("criu-daemon: criu 4.2.1"), report.notes()::toString);
        assertTrue(lab.log.stream().allMatch(c -> c.endsWith("preflight") || c.contains(":preflight:")), lab.log::toString);
        assertTrue(lab.coordinator.history(10).isEmpty(), "a dry run changes nothing");

        lab.snmp.failOn.add("preflight");
        lab.mover.failOn.add("preflight");
        var noGo = lab.coordinator.dryRun(PLAN);
        assertFalse(noGo.go());
        assertEquals(List.of("main-srv: daemon not ready", "snmp-qbridge-device: port 9 is on VLAN 7"),
                noGo.problems().stream().map(Problem::toString).toList());

        lab.registry.removeMover(lab.mover, DriverRegistry.properties("criu-daemon", "test"));
        assertTrue(lab.coordinator.dryRun(PLAN).problems().stream()
                .anyMatch(p -> p.cause().equals("driver `criu-daemon` not installed")));
        assertFalse(lab.coordinator.dryRun("ghost").go());
    }
}
