package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.api.service.StepOutcome;

/** The coordinator inside the real Karaf assembly, driving the simulated drivers through every path. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MigrationIT extends SessionMigrationTestSupport {

    private static final String MOVER_PID = "net.sessionmigration.simulated.mover";
    private static final String SWITCH_PID = "net.sessionmigration.simulated.switch";
    private static final String PROBE_PID = "net.sessionmigration.simulated.probe";

    @Before
    public void drivers() throws Exception {
        installSimulatedDrivers();
    }

    @After
    public void clearFaults() throws Exception {
        configureSimulated(MOVER_PID, "", "");
        configureSimulated(SWITCH_PID, "", "");
        configureSimulated(PROBE_PID, "", "");
    }

    @Test
    public void theShippedDriverBundlesRegisterTheirDriverTypes() throws Exception {
        for (String type : List.of("snmp-qbridge", "netlink-gateway")) {
            waitFor(type + " registered", () -> migrations.drivers().stream()
                    .anyMatch(d -> d.driverType().equals(type) && d.installed()));
        }
        String shown = execute("migration:drivers --no-format");
        assertTrue(shown, shown.contains("snmp-qbridge"));
        assertTrue(shown, shown.contains("netlink-gateway"));
    }

    @Test
    public void validAndInvalidPlansAreListedWithEveryError() throws Exception {
        writePlan("good.json", Plans.simulated("good", "MOVE"));
        writePlan("broken.json", Plans.invalid("broken"));
        waitFor("both plans", () -> migrations.plan("good").isPresent() && migrations.plan("broken").isPresent());

        assertTrue(migrations.plan("good").orElseThrow().valid());
        PlanStatus broken = migrations.plan("broken").orElseThrow();
        assertFalse(broken.valid());
        assertTrue("never half-loaded", broken.plan().isEmpty());
        String fields = broken.errors().stream().map(e -> e.field()).collect(Collectors.joining(","));
        assertTrue(fields, fields.contains("users[0].toVlan"));
        assertTrue(fields, fields.contains("virtualIp"));
        assertTrue(fields, fields.contains("users[1].name"));

        String shown = execute("migration:plan-validate broken");
        assertTrue(shown, shown.contains("users[0].toVlan"));
        assertTrue(shown, shown.contains("5000"));
        String listed = execute("migration:plan-list --no-format");
        assertTrue(listed, listed.contains("broken"));
        assertTrue(listed, listed.contains("invalid"));
    }

    @Test
    public void moveRunsEveryStepInOrderAndMovesEveryUser() throws Exception {
        writePlan("move.json", Plans.simulated("move", "MOVE"));
        waitFor("plan move", () -> migrations.plan("move").map(PlanStatus::runnable).orElse(false));
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();

        String id = admin.start(StartRequest.of("move", "itest"), events::add).orElseThrow();
        MigrationRecord record = admin.await(id, Duration.ofSeconds(30)).orElseThrow();

        assertEquals(MigrationState.SUCCEEDED, record.state());
        assertEquals(List.of(Step.values()), record.steps().stream().map(s -> s.step()).toList());
        assertTrue(record.steps().stream().allMatch(s -> s.outcome() == StepOutcome.DONE));
        assertTrue("driver operations recorded", record.operations().size() >= 6);
        assertTrue(events.stream().anyMatch(e -> e.kind() == MigrationEvent.Kind.FINISHED));
        assertEquals(WorkloadState.RUNNING_AT_TARGET, mover().state(task("move", MigrationMode.MOVE)).orElseThrow());
        assertEquals(Map.of(port("move", 1), VlanId.of(2), port("move", 2), VlanId.of(2), port("move", 3), VlanId.of(2)),
                vlans("move"));

        String history = execute("migration:history " + id);
        assertTrue(history, history.contains("S708"));
        assertTrue(history, history.contains("SUCCEEDED"));
    }

    @Test
    public void replicateMovesOnlyUsersNearTheBackupAndSetsBackupActiveUntilReset() throws Exception {
        writePlan("load.json", Plans.simulated("load", "REPLICATE"));
        waitFor("plan load", () -> migrations.plan("load").map(PlanStatus::runnable).orElse(false));

        String id = admin.start(StartRequest.of("load", "itest"), e -> { }).orElseThrow();
        assertEquals(MigrationState.SUCCEEDED, admin.await(id, Duration.ofSeconds(30)).orElseThrow().state());

        assertEquals(WorkloadState.RUNNING_AT_BOTH, mover().state(task("load", MigrationMode.REPLICATE)).orElseThrow());
        Map<AccessPort, VlanId> vlans = vlans("load");
        assertEquals(VlanId.of(1), vlans.get(port("load", 1)));
        assertEquals(VlanId.of(2), vlans.get(port("load", 2)));
        assertEquals(VlanId.of(1), vlans.get(port("load", 3)));
        assertTrue(migrations.plan("load").orElseThrow().backupActive());

        String again = execute("migration:reset-backup load");
        assertFalse(again, again.contains("Error"));
        assertFalse(migrations.plan("load").orElseThrow().backupActive());
    }

    @Test
    public void aFailingStepRollsBackAndNamesTheDevice() throws Exception {
        writePlan("fails.json", Plans.simulated("fails", "MOVE"));
        waitFor("plan fails", () -> migrations.plan("fails").map(PlanStatus::runnable).orElse(false));
        configureSimulated(MOVER_PID, "migrate", "");

        String id = admin.start(StartRequest.of("fails", "itest"), e -> { }).orElseThrow();
        MigrationRecord record = admin.await(id, Duration.ofSeconds(30)).orElseThrow();

        assertEquals(MigrationState.ROLLED_BACK, record.state());
        assertEquals("backup-srv", record.failure().orElseThrow().device());
        assertTrue(record.failure().orElseThrow().cause().contains("migrate"));
        assertEquals(WorkloadState.RUNNING_AT_SOURCE, mover().state(task("fails", MigrationMode.MOVE)).orElseThrow());
        assertTrue(vlans("fails").values().stream().allMatch(VlanId.of(1)::equals));
    }

    @Test
    public void aPortThatRefusesItsVlanPutsEveryUserBack() throws Exception {
        writePlan("port-fails.json", Plans.simulated("port-fails", "MOVE"));
        waitFor("plan port-fails", () -> migrations.plan("port-fails").map(PlanStatus::runnable).orElse(false));
        configureSimulated(SWITCH_PID, "sw-port-fails/3", "");

        String id = admin.start(StartRequest.of("port-fails", "itest"), e -> { }).orElseThrow();
        MigrationRecord record = admin.await(id, Duration.ofSeconds(30)).orElseThrow();

        assertEquals(MigrationState.ROLLED_BACK, record.state());
        assertEquals("sw-port-fails", record.failure().orElseThrow().device());
        assertTrue(vlans("port-fails").values().stream().allMatch(VlanId.of(1)::equals));
        assertEquals(WorkloadState.RUNNING_AT_SOURCE,
                mover().state(task("port-fails", MigrationMode.MOVE)).orElseThrow());
    }

    @Test
    public void theUserSideProbeVerifiesTheSwitchBeforeResume() throws Exception {
        writePlan("probed.json", Plans.simulatedWithProbe("probed"));
        waitFor("plan probed", () -> migrations.plan("probed").map(PlanStatus::runnable).orElse(false));
        String dry = execute("migration:dry-run probed");
        assertTrue(dry, dry.contains("probe: will run after S708, before resume: probe1"));

        String id = admin.start(StartRequest.of("probed", "itest"), e -> { }).orElseThrow();
        MigrationRecord record = admin.await(id, Duration.ofSeconds(30)).orElseThrow();

        assertEquals(MigrationState.SUCCEEDED, record.state());
        var probe = record.operations().stream().filter(o -> o.operation().equals("probe")).findFirst();
        assertTrue("a probe operation in " + record.operations(), probe.isPresent());
        assertEquals(Step.S708, probe.get().step());
        assertEquals("probe1", probe.get().device());
        String history = execute("migration:history " + id);
        assertTrue(history, history.contains("probe"));
    }

    @Test
    public void aFailedProbeRollsBackAndNamesTheProbeHost() throws Exception {
        writePlan("probe-fails.json", Plans.simulatedWithProbe("probe-fails"));
        waitFor("plan probe-fails", () -> migrations.plan("probe-fails").map(PlanStatus::runnable).orElse(false));
        configureSimulated(PROBE_PID, "probe1", "");

        String id = admin.start(StartRequest.of("probe-fails", "itest"), e -> { }).orElseThrow();
        MigrationRecord record = admin.await(id, Duration.ofSeconds(30)).orElseThrow();

        assertEquals(MigrationState.ROLLED_BACK, record.state());
        assertEquals("probe1", record.failure().orElseThrow().device());
        assertTrue(record.failure().orElseThrow().cause(), record.failure().orElseThrow().cause().contains("timed out"));
        assertTrue(vlans("probe-fails").values().stream().allMatch(VlanId.of(1)::equals));
        assertEquals(WorkloadState.RUNNING_AT_SOURCE,
                mover().state(task("probe-fails", MigrationMode.MOVE)).orElseThrow());
        assertTrue("never resumed at the target", record.steps().stream().noneMatch(s -> s.step() == Step.S710));
    }

    @Test
    public void aCoordinatorRestartMidMigrationEndsSafelyFromTheJournal() throws Exception {
        writePlan("restart.json", Plans.simulated("restart", "MOVE"));
        waitFor("plan restart", () -> migrations.plan("restart").map(PlanStatus::runnable).orElse(false));
        configureSimulated(MOVER_PID, "", "migrate=5000");
        List<MigrationEvent> events = new CopyOnWriteArrayList<>();

        String id = admin.start(StartRequest.of("restart", "itest"), events::add).orElseThrow();
        waitFor("S704 to begin", () -> events.stream()
                .anyMatch(e -> e.kind() == MigrationEvent.Kind.STEP_STARTED && e.step() == Step.S704));
        Bundle coordinator = bundle("sm-coordinator");
        coordinator.stop();
        configureSimulated(MOVER_PID, "", "");
        coordinator.start();

        MigrationService restarted = service(MigrationService.class);
        waitFor("recovery to finish the migration", () -> restarted.migration(id)
                .map(r -> r.state().finished()).orElse(false));
        MigrationRecord record = restarted.migration(id).orElseThrow();
        assertEquals(MigrationState.ROLLED_BACK, record.state());
        assertTrue("history says what recovery did: " + record.notes(),
                record.notes().stream().anyMatch(n -> n.toLowerCase().contains("recover")));
        assertEquals(WorkloadState.RUNNING_AT_SOURCE, mover().state(task("restart", MigrationMode.MOVE)).orElseThrow());
        assertTrue(vlans("restart").values().stream().allMatch(VlanId.of(1)::equals));
        // the restarted coordinator accepts new work
        assertTrue(service(MigrationAdminService.class).start(StartRequest.of("restart", "itest"), e -> { }).isOk());
    }

    private WorkloadMover mover() throws Exception {
        return driver(WorkloadMover.class, "simulated-mover");
    }

    private Map<AccessPort, VlanId> vlans(String plan) throws Exception {
        return driver(AccessPortSwitcher.class, "simulated-switch")
                .readVlans(List.of(port(plan, 1), port(plan, 2), port(plan, 3))).orElseThrow();
    }

    private static AccessPort port(String plan, int n) {
        return new AccessPort("sw-" + plan, Integer.toString(n));
    }

    private static WorkloadTask task(String plan, MigrationMode mode) {
        return new WorkloadTask("itest", "wl-" + plan, new Server("main-srv", "main"), new Server("backup-srv", "backup"),
                new VirtualIp("10.20.0.100"), mode, true, true, Map.of());
    }

    private <T> T driver(Class<T> type, String driverType) throws Exception {
        var refs = bundleContext.getServiceReferences(type, "(driver.type=" + driverType + ")");
        assertFalse(driverType + " registered", refs.isEmpty());
        return bundleContext.getService(refs.iterator().next());
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        waitFor(type.getSimpleName(), () -> bundleContext.getServiceReference(type) != null);
        ServiceReference<T> ref = bundleContext.getServiceReference(type);
        return bundleContext.getService(ref);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " not installed");
    }
}
