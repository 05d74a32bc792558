package net.sessionmigration.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.MigrationEvent.Kind;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;

/** start (live progress, --no-wait, --mode, failures) and watch (live, finished, Ctrl-C). */
class StartAndWatchCommandsTest {
    private final FakeMigrationService service = new FakeMigrationService().plan(Fixtures.valid());
    private final FakeAdminService admin = new FakeAdminService(service);
    private final Fixtures.Capture capture = new Fixtures.Capture();

    private StartCommand start() {
        StartCommand c = new StartCommand();
        c.output = capture.output;
        c.migrations = service;
        c.admin = admin;
        c.plan = "video";
        return c;
    }

    private WatchCommand watch(String id) {
        WatchCommand c = new WatchCommand();
        c.output = capture.output;
        c.migrations = service;
        c.admin = admin;
        c.id = id;
        return c;
    }

    private void scriptSuccess(String id) {
        admin.script = List.of(
                Fixtures.event(id, Kind.STEP_STARTED, Step.S701, 0, ""),
                Fixtures.event(id, Kind.STEP_DONE, Step.S701, 12, ""),
                Fixtures.event(id, Kind.STEP_DONE, Step.S703, 11_250, ""),
                Fixtures.event(id, Kind.PROGRESS, Step.S704, 30_000, "copied 64 of 128 MB"),
                Fixtures.event(id, Kind.STEP_DONE, Step.S704, 60_000, ""),
                Fixtures.event(id, Kind.STEP_SKIPPED, Step.S705, 60_001, ""),
                Fixtures.event(id, Kind.STEP_DONE, Step.S708, 82_345, "2 ports"),
                Fixtures.event(id, Kind.STEP_DONE, Step.S711, 123_000, ""));
        admin.finalRecord = Fixtures.succeeded();
    }

    @Test
    void startShowsEachStepAsItCompletesThenTheVerdict() throws Exception {
        scriptSuccess("m-1");
        start().execute();
        assertEquals(List.of(
                "migration m-1 of plan 'video' started by operator",
                "      +0.012 ms  S701  start request received",
                "     +11.250 ms  S703  workload frozen",
                "                       copied 64 of 128 MB",
                "     +60.000 ms  S704  workload migrated to the target",
                "     +60.001 ms  S705  (skipped) virtual IP moved to the target",
                "     +82.345 ms  S708  users' access ports switched - 2 ports",
                "    +123.000 ms  S711  resumed reported",
                "SUCCEEDED: migration m-1 of plan 'video' (MOVE) after 123.456 ms"), capture.lines());
        assertEquals(Optional.empty(), admin.lastStart.mode());
    }

    @Test
    void startEndsWithTheFailingDeviceAndCauseOnRollback() throws Exception {
        admin.startResult = Result.ok("m-2");
        admin.script = List.of(Fixtures.event("m-2", Kind.STEP_FAILED, Step.S708, 30_000, "sw1: port ge-0/0/1 is down"),
                Fixtures.event("m-2", Kind.ROLLBACK, Step.S708, 31_000, "workload resumed at srv-a"));
        admin.finalRecord = Fixtures.rolledBack();
        start().execute();
        List<String> lines = capture.lines();
        assertTrue(lines.get(1).endsWith("S708  FAILED users' access ports switched - sw1: port ge-0/0/1 is down"), lines.get(1));
        assertTrue(lines.get(2).endsWith("rollback: workload resumed at srv-a"));
        assertEquals("ROLLED_BACK: migration m-2 of plan 'video' (MOVE) after 45.000 ms; failed at sw1: port ge-0/0/1 is down",
                lines.get(3));
    }

    @Test
    void startNoticesTheEndEvenWithoutTheFinishedEvent() throws Exception {
        scriptSuccess("m-1");
        admin.sendFinished = false;
        start().execute();
        assertEquals("SUCCEEDED: migration m-1 of plan 'video' (MOVE) after 123.456 ms", capture.lines().get(capture.lines().size() - 1));
    }

    @Test
    void startNoWaitPrintsOnlyTheIdAndRecordsTheOperatorAndMode() throws Exception {
        StartCommand c = start();
        c.noWait = true;
        c.mode = "replicate";
        c.session = session("alice");
        c.execute();
        assertEquals(List.of("m-1"), capture.lines());
        assertEquals("operator:alice", admin.lastStart.trigger());
        assertEquals(Optional.of(MigrationMode.REPLICATE), admin.lastStart.mode());
    }

    @Test
    void startNoWaitJson() throws Exception {
        StartCommand c = start();
        c.noWait = true;
        c.json = true;
        c.execute();
        assertEquals("m-1", new ObjectMapper().readTree(capture.text()).get("id").asText());
    }

    @Test
    void startJsonWaitsAndPrintsTheFinalRecord() throws Exception {
        scriptSuccess("m-1");
        StartCommand c = start();
        c.json = true;
        c.execute();
        JsonNode json = new ObjectMapper().readTree(capture.text());
        assertEquals("SUCCEEDED", json.get("state").asText());
        assertEquals(4, json.get("steps").size());
    }

    @Test
    void startBadInputIsOneErrorLineNamingTheValue() {
        StartCommand c = start();
        c.mode = "teleport";
        assertEquals("bad mode 'teleport' (expected MOVE or REPLICATE)",
                assertThrows(CommandException.class, c::execute).getMessage());
        c.mode = null;
        c.timeoutSeconds = 0;
        assertEquals("bad timeout '0' (expected a number above 0)", assertThrows(CommandException.class, c::execute).getMessage());
        c.plan = "nope";
        assertEquals("unknown plan 'nope'", assertThrows(CommandException.class, c::execute).getMessage());
        assertEquals(null, admin.lastStart);
    }

    @Test
    void startRefusedByTheCoordinatorPrintsItsProblem() {
        admin.startResult = Result.failed("coordinator", "driver snmp-qbridge not installed");
        CommandException e = assertThrows(CommandException.class, start()::execute);
        assertEquals("coordinator: driver snmp-qbridge not installed", e.getMessage());
    }

    @Test
    void startStopsShowingAfterTheTimeoutButLeavesTheMigrationRunning() throws Exception {
        service.record(Fixtures.running("m-1"));
        admin.script = List.of();
        admin.finalRecord = null;
        StartCommand c = start();
        c.timeoutSeconds = 1;
        c.execute();
        assertEquals("still running after 1 s; follow it with migration:watch m-1", capture.lines().get(1));
        assertTrue(admin.aborted.isEmpty());
    }

    @Test
    void watchFollowsARunningMigrationAndRemovesItsListener() throws Exception {
        service.record(Fixtures.running("m-1"));
        scriptSuccess("m-1");
        admin.playOnAddListener = true;
        // another migration's events must not show up
        admin.script = new java.util.ArrayList<>(admin.script);
        admin.script.add(0, Fixtures.event("m-9", Kind.STEP_DONE, Step.S702, 5, "other"));
        watch("m-1").execute();
        List<String> lines = capture.lines();
        assertEquals("      +0.012 ms  S701  start request received", lines.get(0));
        assertFalse(capture.text().contains("other"));
        assertEquals("SUCCEEDED: migration m-1 of plan 'video' (MOVE) after 123.456 ms", lines.get(lines.size() - 1));
        assertEquals(1, admin.removed.size());
        assertTrue(admin.listeners.isEmpty());
    }

    @Test
    void watchOfAFinishedMigrationSaysSo() throws Exception {
        service.record(Fixtures.rolledBack());
        watch("m-2").execute();
        assertEquals(List.of("already finished: ROLLED_BACK: migration m-2 of plan 'video' (MOVE) after 45.000 ms;"
                + " failed at sw1: port ge-0/0/1 is down"), capture.lines());
        assertTrue(admin.listeners.isEmpty());
    }

    @Test
    void watchUnknownId() {
        assertEquals("unknown migration id 'm-404'", assertThrows(CommandException.class, watch("m-404")::execute).getMessage());
    }

    @Test
    void ctrlCStopsWatchingNotTheMigration() throws Exception {
        service.record(Fixtures.running("m-1"));
        WatchCommand c = watch("m-1");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread shell = new Thread(() -> {
            try {
                c.execute();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        shell.start();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (admin.listeners.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        shell.interrupt();
        shell.join(5_000);
        assertFalse(shell.isAlive());
        assertEquals(null, failure.get());
        assertEquals(List.of("stopped watching migration m-1; it goes on (see migration:status m-1)"), capture.lines());
        assertTrue(admin.aborted.isEmpty());
        assertTrue(admin.listeners.isEmpty(), "listener removed");
        assertEquals(MigrationState.RUNNING, service.migration("m-1").map(MigrationRecord::state).orElseThrow());
    }

    /** A Karaf session that only knows the USER variable, as Karaf sets it for a logged-in user. */
    static Session session(String user) {
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> method.getName().equals("get") && "USER".equals(args[0]) ? user : null);
    }
}
