package net.sessionmigration.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.DriverStatus;

/** status, abort, history, reset-backup, drivers and the two completers. */
class MigrationCommandsTest {
    private final FakeMigrationService service = new FakeMigrationService().plan(Fixtures.valid());
    private final FakeAdminService admin = new FakeAdminService(service);
    private final Fixtures.Capture capture = new Fixtures.Capture();
    private final ObjectMapper reader = new ObjectMapper();

    private <C extends MigrationCommand> C wire(C command) {
        command.output = capture.output;
        return command;
    }

    private StatusCommand status(String id) {
        StatusCommand c = wire(new StatusCommand());
        c.migrations = service;
        c.id = id;
        return c;
    }

    private HistoryCommand history(String id) {
        HistoryCommand c = wire(new HistoryCommand());
        c.migrations = service;
        c.id = id;
        return c;
    }

    private AbortCommand abort(String id) {
        AbortCommand c = wire(new AbortCommand());
        c.migrations = service;
        c.admin = admin;
        c.id = id;
        return c;
    }

    @Test
    void statusListsRunningMigrationsWithTheirCurrentStep() throws Exception {
        service.record(Fixtures.succeeded()).record(Fixtures.running("m-3"));
        status(null).execute();
        List<String> lines = capture.lines();
        assertEquals(3, lines.size(), capture.text());
        assertTrue(lines.get(0).startsWith("ID  | Plan  | Mode      | Trigger        | State   | Started"), lines.get(0));
        assertTrue(lines.get(2).matches("m-3 \\| video \\| REPLICATE \\| operator:karaf \\| RUNNING \\| 2025-01-02 03:04:05.000 \\|\\s+running \\|\\s+- / - \\| S704 IN_PROGRESS"),
                lines.get(2));
    }

    @Test
    void statusWithNothingRunning() throws Exception {
        status(null).execute();
        assertTrue(capture.text().contains("no migration running"));
    }

    @Test
    void statusOfOneMigrationAndItsJson() throws Exception {
        service.record(Fixtures.running("m-3"));
        status("m-3").execute();
        assertTrue(capture.lines().contains("State      RUNNING"));
        assertTrue(capture.lines().contains("Duration   running"));
        assertTrue(capture.text().lines().anyMatch(l -> l.matches("S704 \\| workload migrated to the target \\| IN_PROGRESS \\|\\s+2.000 \\|\\s+running \\|.*")),
                capture.text());
        Fixtures.Capture jsonOut = new Fixtures.Capture();
        StatusCommand json = status("m-3");
        json.output = jsonOut.output;
        json.json = true;
        json.execute();
        assertEquals("RUNNING", reader.readTree(jsonOut.text()).get("state").asText());
        assertEquals(0, reader.readTree(jsonOut.text()).at("/steps/0/endMicros").asLong());
        assertEquals("unknown migration id 'm-404'", assertThrows(CommandException.class, status("m-404")::execute).getMessage());
    }

    @Test
    void historyListIsNewestFirstWithStartTimeAndDuration() throws Exception {
        service.record(Fixtures.succeeded()).record(Fixtures.rolledBack());
        HistoryCommand c = history(null);
        c.limit = 5;
        c.execute();
        List<String> lines = capture.lines();
        assertEquals(5, service.lastHistoryLimit);
        assertTrue(lines.get(0).matches("ID\\s+\\| Plan\\s+\\| Mode \\| Trigger\\s+\\| State\\s+\\| Started\\s+\\| Duration \\(ms\\) \\| Freeze est\\./actual \\(ms\\)"), lines.get(0));
        assertTrue(lines.get(2).matches("m-2 \\| video \\| MOVE \\| trap:ups-on-battery \\| ROLLED_BACK \\| 2025-01-02 03:04:05.000 \\|\\s+45.000 \\|\\s+- / -"),
                lines.get(2));
        assertTrue(lines.get(3).matches("m-1 \\| video \\| MOVE \\| operator:karaf\\s+\\| SUCCEEDED\\s+\\| 2025-01-02 03:04:05.000 \\|\\s+123.456"
                + " \\|\\s+9.500 / -"), "the S702 estimate beside the actual freeze (none: the fixture has no S710): " + lines.get(3));
    }

    @Test
    void historyBadLimit() {
        HistoryCommand c = history(null);
        c.limit = 0;
        assertEquals("bad limit '0' (expected a number above 0)", assertThrows(CommandException.class, c::execute).getMessage());
    }

    @Test
    void historyOfOneMigrationShowsTimelineOperationsFailureAndNotes() throws Exception {
        service.record(Fixtures.succeeded());
        history("m-1").execute();
        String text = capture.text();
        List<String> lines = capture.lines();
        assertTrue(lines.contains("Trigger    operator:karaf"));
        assertTrue(lines.contains("Started    2025-01-02 03:04:05.000"));
        assertTrue(lines.contains("Duration   123.456 ms"));
        assertTrue(text.lines().anyMatch(l -> l.matches("S701 \\| start request received\\s+\\| DONE\\s+\\|\\s+0.000 \\|\\s+0.010 \\|\\s*")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("S703 \\| workload frozen\\s+\\| DONE\\s+\\|\\s+1.000 \\|\\s+10.250 \\| frozen")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("S705 \\| virtual IP moved to the target\\s+\\| SKIPPED \\|\\s+60.000 \\|\\s+0.000 \\| VIP travels in the VM")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("S708 \\| snmp-qbridge \\| sw1\\s+\\| set dot1qPvid ge-0/0/1=20 \\|\\s+70.100 \\|\\s+5.500 \\| ok")), text);
        assertTrue(lines.contains("  - announced 10.0.0.10 from srv-b"));
        assertTrue(text.indexOf("Step timeline:") < text.indexOf("Driver operations:"));

        Fixtures.Capture failed = new Fixtures.Capture();
        service.record(Fixtures.rolledBack());
        HistoryCommand c = history("m-2");
        c.output = failed.output;
        c.execute();
        assertTrue(failed.lines().contains("Failure    sw1: port ge-0/0/1 is down"), failed.text());
        assertTrue(failed.text().contains("no driver operations recorded"));
    }

    @Test
    void historyJsonHasStepsOperationsAndFailure() throws Exception {
        service.record(Fixtures.rolledBack());
        HistoryCommand c = history("m-2");
        c.json = true;
        c.execute();
        JsonNode json = reader.readTree(capture.text());
        assertEquals("port ge-0/0/1 is down", json.at("/failure/cause").asText());
        assertEquals("S708", json.at("/steps/0/step").asText());

        Fixtures.Capture list = new Fixtures.Capture();
        HistoryCommand all = history(null);
        all.output = list.output;
        all.json = true;
        all.execute();
        assertEquals(1, reader.readTree(list.text()).size());
    }

    @Test
    void abortAsksTheCoordinatorAndPrintsItsAnswer() throws Exception {
        service.record(Fixtures.running("m-1"));
        abort("m-1").execute();
        assertEquals(List.of("m-1"), admin.aborted);
        assertEquals(List.of("abort requested for m-1"), capture.lines());
    }

    @Test
    void abortRefusals() {
        service.record(Fixtures.succeeded());
        assertEquals("migration 'm-1' already finished (SUCCEEDED)",
                assertThrows(CommandException.class, abort("m-1")::execute).getMessage());
        assertEquals("unknown migration id 'x'", assertThrows(CommandException.class, abort("x")::execute).getMessage());
        service.record(Fixtures.running("m-3"));
        admin.abortResult = Result.failed("srv-b", "daemon unreachable");
        assertEquals("srv-b: daemon unreachable", assertThrows(CommandException.class, abort("m-3")::execute).getMessage());
    }

    @Test
    void resetBackupClearsTheFlag() throws Exception {
        ResetBackupCommand c = wire(new ResetBackupCommand());
        c.migrations = service;
        c.admin = admin;
        c.plan = "video";
        c.execute();
        assertEquals(List.of("video"), admin.resets);
        assertEquals(List.of("backup-active cleared for plan video"), capture.lines());
        c.plan = "x";
        assertEquals("unknown plan 'x'", assertThrows(CommandException.class, c::execute).getMessage());
        c.plan = "video";
        admin.resetResult = Result.failed("coordinator", "plan video is running");
        assertEquals("coordinator: plan video is running", assertThrows(CommandException.class, c::execute).getMessage());
    }

    @Test
    void driversShowInstalledVendorAndWaitingPlans() throws Exception {
        service.drivers.add(new DriverStatus("snmp-qbridge", "access-port-switcher", false, "", List.of("video", "backup")));
        service.drivers.add(new DriverStatus("criu-daemon", "workload-mover", true, "sessionmigration", List.of("video"),
                List.of("vendor acme (service.ranking 0, service.id 77, com.acme.Mover)")));
        DriversCommand c = wire(new DriversCommand());
        c.migrations = service;
        c.execute();
        List<String> lines = capture.lines();
        assertTrue(lines.get(0).matches("Driver type\\s+\\| Capability\\s+\\| Installed \\| Vendor\\s+\\| Plans waiting \\| Used by \\| Also installed, not used"), lines.get(0));
        assertTrue(lines.get(2).matches("criu-daemon\\s+\\| workload-mover\\s+\\| yes\\s+\\| sessionmigration \\| -\\s+\\| video\\s+"
                + "\\| vendor acme \\(service.ranking 0, service.id 77, com.acme.Mover\\)"), lines.get(2));
        assertTrue(lines.get(3).matches("snmp-qbridge \\| access-port-switcher \\| no\\s+\\| -\\s+\\| video, backup \\| -\\s+\\| -\\s*"), lines.get(3));

        Fixtures.Capture json = new Fixtures.Capture();
        c.output = json.output;
        c.json = true;
        c.execute();
        assertEquals(false, reader.readTree(json.text()).get(0).get("installed").asBoolean());
    }

    @Test
    void clusterShowsAloneOrMembersLeaderEpochAndWhyNotHere() throws Exception {
        ClusterCommand c = wire(new ClusterCommand());
        c.migrations = service;
        c.execute();
        assertEquals(List.of("alone: this coordinator runs every migration itself, with its own journal"
                + " (journal.store = local)"), capture.lines());

        service.cluster = new ClusterStatus("site-b", true, false, java.util.Optional.of("site-a"), 7, "CONNECTED",
                List.of("site-a", "site-b"), "zk1:2181,zk2:2181,zk3:2181",
                java.util.Optional.of("this coordinator (site-b) follows; the leader is site-a: start migrations there"));
        Fixtures.Capture table = new Fixtures.Capture();
        c.output = table.output;
        c.execute();
        List<String> lines = table.lines();
        assertEquals("member site-b, following; leader site-a, epoch 7; ZooKeeper CONNECTED (zk1:2181,zk2:2181,zk3:2181)",
                lines.get(0));
        assertEquals("no migration starts here: this coordinator (site-b) follows; the leader is site-a: start"
                + " migrations there", lines.get(1));
        assertTrue(lines.get(2).matches("Member\\s+\\| Role\\s+\\| This one"), lines.get(2));
        assertTrue(lines.get(4).matches("site-a\\s+\\| leader\\s+\\|\\s*"), lines.get(4));
        assertTrue(lines.get(5).matches("site-b\\s+\\| follower \\| \\*"), lines.get(5));

        Fixtures.Capture json = new Fixtures.Capture();
        c.output = json.output;
        c.json = true;
        c.execute();
        var tree = reader.readTree(json.text());
        assertEquals("site-a", tree.get("leader").asText());
        assertEquals(7, tree.get("epoch").asLong());
        assertEquals(2, tree.get("members").size());
    }

    @Test
    void completersOfferPlanNamesAndMigrationIds() {
        service.plan(Fixtures.invalid());
        PlanNameCompleter plans = new PlanNameCompleter();
        plans.migrations = service;
        List<String> candidates = new ArrayList<>();
        plans.complete(null, commandLine("vi"), candidates);
        assertEquals(List.of("video "), candidates.stream().map(String::stripTrailing).map(s -> s + " ").toList());

        service.record(Fixtures.succeeded()).record(Fixtures.rolledBack()).record(Fixtures.running("x-7"));
        MigrationIdCompleter ids = new MigrationIdCompleter();
        ids.migrations = service;
        List<String> all = new ArrayList<>();
        ids.complete(null, commandLine(""), all);
        assertEquals(List.of("m-1", "m-2", "x-7"), all.stream().map(String::strip).sorted().toList());
        List<String> m = new ArrayList<>();
        ids.complete(null, commandLine("m-"), m);
        assertEquals(List.of("m-1", "m-2"), m.stream().map(String::strip).sorted().toList());
    }

    /** The word under the cursor, as Karaf's parser hands it to a completer. */
    private static CommandLine commandLine(String word) {
        return (CommandLine) Proxy.newProxyInstance(CommandLine.class.getClassLoader(), new Class<?>[] {CommandLine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getCursorArgument" -> word;
                    case "getArgumentPosition", "getBufferPosition" -> word.length();
                    case "getCursorArgumentIndex" -> 1;
                    case "getArguments" -> new String[] {"migration:plan-show", word};
                    case "getBuffer" -> "migration:plan-show " + word;
                    default -> null;
                });
    }
}
