package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;

/** Probe-verified commit: the user-side probe runs after the S708 switch and before resume. */
class ProbeCommitTest {
    private static final String PLAN = "evacuate-main";

    @TempDir
    Path dir;
    Lab lab;
    FakeProbe probe;

    private static ObjectNode withProbe() {
        ObjectNode plan = Plans.base();
        plan.putObject("probe").put("driver", "fake-probe").put("host", "probe1").put("port", 7001)
                .put("timeoutMs", 800);
        return plan;
    }

    private void open(ObjectNode plan, boolean probeInstalled) {
        lab = new Lab(dir).withAllDrivers().plan(plan);
        probe = new FakeProbe(lab.log);
        if (probeInstalled) {
            lab.registry.addProbe(probe, DriverRegistry.properties("fake-probe", "test"));
        }
        lab.open();
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private static StepRecord step(MigrationRecord r, Step s) {
        return r.steps().stream().filter(x -> x.step() == s).findFirst()
                .orElseThrow(() -> new AssertionError(s + " not recorded in " + r.steps()));
    }

    @Test
    void theProbeRunsAfterEveryPortMovedAndBeforeResume() {
        open(withProbe(), true);
        MigrationRecord r = lab.run(PLAN);

        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        CallOrder.assertPhases(lab.log, List.of(
                Set.of("mover:preflight", "probe:preflight:probe1", "netlink-gw:preflight:u3",
                        "snmp-qbridge:preflight:u1,u2"),
                Set.of("mover:freeze"), Set.of("mover:migrate"), Set.of("mover:move-vip"),
                Set.of("netlink-gw:move:u3", "snmp-qbridge:move:u1,u2"), Set.of("probe:probe:probe1"),
                Set.of("mover:resume"), Set.of("mover:announce")));
        assertEquals("10.0.0.10", probe.lastTask.address().address(), "the probe aims at the plan's virtual IP");
        assertEquals(7001, probe.lastTask.port());
        assertEquals(Duration.ofMillis(800), probe.lastTask.timeout());
        OperationRecord op = r.operations().stream().filter(o -> o.operation().equals("probe")).findFirst()
                .orElseThrow(() -> new AssertionError("no probe operation in " + r.operations()));
        assertEquals(Step.S708, op.step());
        assertEquals("probe1", op.device());
        assertEquals("fake-probe", op.driverType());
        assertTrue(op.outcome().contains("connect_us=420"), op::toString);
        assertTrue(step(r, Step.S708).detail().contains("probe probe1 reached 10.0.0.10:7001"),
                () -> step(r, Step.S708).detail());
    }

    @Test
    void aFailedProbeRollsBackBeforeAnythingResumesAtTheTarget() {
        open(withProbe(), true);
        probe.failure = "connect to 10.0.0.10:7001 timed out after 800 ms";
        MigrationRecord r = lab.run(PLAN);

        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertEquals("probe1", r.failure().orElseThrow().device());
        assertTrue(r.failure().orElseThrow().cause().contains("timed out after 800 ms"), r::toString);
        assertEquals(StepOutcome.FAILED, step(r, Step.S708).outcome());
        assertFalse(lab.log.contains("mover:resume"), lab.log::toString);
        assertEquals(Step.S708, lab.mover.rolledBackFrom);
        assertTrue(lab.log.indexOf("probe:probe:probe1") < lab.log.indexOf("snmp-qbridge:restore:u1,u2"));
        assertTrue(lab.log.indexOf("netlink-gw:restore:u3") < lab.log.indexOf("mover:rollback@S708"),
                "users go back before the source resumes");
        assertEquals(VlanId.of(1), lab.snmp.vlans.get(new AccessPort("sw1", "1")));
    }

    @Test
    void aProbeHostThatDoesNotAnswerStopsTheStartBeforeAnythingIsFrozen() {
        open(withProbe(), true);
        probe.preflightProblem = "probe host unreachable: connection refused";
        MigrationRecord r = lab.run(PLAN);

        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertEquals(StepOutcome.FAILED, step(r, Step.S702).outcome());
        assertEquals("probe1", r.failure().orElseThrow().device());
        assertFalse(lab.log.contains("mover:freeze"), lab.log::toString);
    }

    @Test
    void aDisabledProbeIsSkippedWithANote() {
        ObjectNode plan = withProbe();
        plan.with("probe").put("enabled", false);
        open(plan, false); // a disabled probe needs no driver
        MigrationRecord r = lab.run(PLAN);

        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        assertFalse(lab.log.stream().anyMatch(c -> c.startsWith("probe:")), lab.log::toString);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("probe skipped at S708: disabled in the plan")),
                r.notes()::toString);
    }

    @Test
    void aMoverWhoseTargetIsSilentUntilResumeSkipsTheProbe() {
        open(withProbe(), true);
        lab.mover.capabilities = new MoverCapabilities(true, false, false, false);
        ObjectNode plan = withProbe();
        plan.with("workload").put("moveVirtualIp", false);
        lab.plan(plan);

        DryRunReport dry = lab.coordinator.dryRun(PLAN);
        assertTrue(dry.notes().stream().anyMatch(n -> n.startsWith("probe: will not run: probe not possible")),
                dry.notes()::toString);
        MigrationRecord r = lab.run(PLAN);
        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        assertFalse(lab.log.contains("probe:probe:probe1"), lab.log::toString);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("probe not possible")), r.notes()::toString);
    }

    @Test
    void aMissingProbeDriverStopsTheStartAndDryRunSaysTheProbeWillRun() {
        open(withProbe(), false);
        var started = lab.coordinator.start(net.sessionmigration.api.service.StartRequest.of(PLAN, "test"), e -> { });
        assertEquals("driver `fake-probe` not installed", started.failure().orElseThrow().cause());

        lab.registry.addProbe(probe, DriverRegistry.properties("fake-probe", "test"));
        DryRunReport dry = lab.coordinator.dryRun(PLAN);
        assertTrue(dry.go(), dry::toString);
        assertTrue(dry.notes().contains("probe: will run after S708, before resume: probe1 connects to"
                + " 10.0.0.10:7001 via `fake-probe` (timeout 800 ms)"), dry.notes()::toString);
        assertTrue(lab.log.contains("probe:preflight:probe1"), lab.log::toString);
        assertTrue(lab.coordinator.drivers().stream().anyMatch(d -> d.driverType().equals("fake-probe")
                && d.capability().equals(DriverRegistry.PROBE) && d.installed()));
    }
}
