package net.sessionmigration.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.service.DryRunReport;

/** plan-list, plan-show, plan-validate and dry-run, run as Karaf would: fields set, execute() called. */
class PlanCommandsTest {
    private final FakeMigrationService service = new FakeMigrationService();
    private final Fixtures.Capture capture = new Fixtures.Capture();

    private <C extends MigrationCommand> C wire(C command) {
        command.output = capture.output;
        return command;
    }

    private PlanListCommand planList() {
        PlanListCommand c = wire(new PlanListCommand());
        c.migrations = service;
        return c;
    }

    @Test
    void planListShowsValidityModeReadinessBackupAndFile() throws Exception {
        service.plan(Fixtures.waiting()).plan(Fixtures.invalid());
        planList().execute();
        List<String> lines = capture.lines();
        assertTrue(lines.get(0).matches("Name\\s+\\| Valid\\s+\\| Mode\\s+\\| Runnable\\s+\\| Backup active \\| File\\s*"), lines.get(0));
        assertTrue(lines.get(1).startsWith("-----"));
        assertTrue(lines.get(2).matches("broken \\| invalid \\(2 errors\\) \\| -\\s+\\| no \\(invalid\\)\\s+\\| no\\s+\\| etc/migration/plans/broken.json"),
                lines.get(2));
        assertTrue(lines.get(3).matches("video\\s+\\| valid\\s+\\| MOVE \\| waiting for drivers: snmp-qbridge \\| yes\\s+\\| etc/migration/plans/video.json"),
                lines.get(3));
    }

    @Test
    void planListNoFormatDropsTheHeaderLines() throws Exception {
        service.plan(Fixtures.valid());
        PlanListCommand c = planList();
        c.noFormat = true;
        c.execute();
        assertFalse(capture.text().contains("-----"));
        assertTrue(capture.text().contains("video"));
    }

    @Test
    void planListEmptySaysSo() throws Exception {
        planList().execute();
        assertTrue(capture.text().contains("no plans"));
    }

    @Test
    void planListJsonIsAnArrayOfPlanStatus() throws Exception {
        service.plan(Fixtures.valid()).plan(Fixtures.invalid());
        PlanListCommand c = planList();
        c.json = true;
        c.execute();
        JsonNode json = new ObjectMapper().readTree(capture.text());
        assertEquals(2, json.size());
        assertTrue(json.get(0).get("runnable").asBoolean());
        assertEquals("users[1].to", json.get(1).at("/errors/0/field").asText());
    }

    @Test
    void planShowPrintsThePlanReadably() throws Exception {
        service.plan(Fixtures.valid());
        PlanShowCommand c = wire(new PlanShowCommand());
        c.migrations = service;
        c.plan = "video";
        c.execute();
        String text = capture.text();
        assertTrue(text.contains("Mode           MOVE"));
        assertTrue(text.contains("Virtual IP     10.0.0.10"));
        assertTrue(text.contains("Probe          none"), text);
        assertTrue(text.contains("Workload       video (driver criu-daemon) from srv-a to srv-b; freeze yes, move VIP yes"));
        assertTrue(text.contains("Status         valid, runnable: yes"));
        assertTrue(text.lines().anyMatch(l -> l.matches("srv-a\\s+\\| main\\s+\\| source")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("srv-b\\s+\\| backup \\| target")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("alice \\| sw1/ge-0/0/1 \\|\\s+10 \\|\\s+20 \\| yes")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("bob\\s+\\| sw1/ge-0/0/2 \\|\\s+10 \\|\\s+20 \\| no")), text);
    }

    @Test
    void planShowOfAnInvalidPlanListsEveryError() throws Exception {
        service.plan(Fixtures.invalid());
        PlanShowCommand c = wire(new PlanShowCommand());
        c.migrations = service;
        c.plan = "broken";
        c.execute();
        List<String> lines = capture.lines();
        assertTrue(lines.contains("Status         INVALID, runnable: no (invalid)"));
        assertTrue(lines.contains("2 errors:"));
        assertTrue(lines.contains("  broken.json: users[1].to = '5000': VLAN id 5000 is out of range 1-4094"));
        assertTrue(lines.contains("  broken.json: virtualIp = '10.0.0.300': not an IPv4 or IPv6 address literal"));
    }

    @Test
    void unknownPlanIsOneErrorNamingIt() {
        PlanShowCommand c = wire(new PlanShowCommand());
        c.migrations = service;
        c.plan = "nope";
        CommandException e = assertThrows(CommandException.class, c::execute);
        assertEquals("unknown plan 'nope'", e.getMessage());
        assertEquals("", capture.text());
    }

    @Test
    void planValidateOfAKnownPlanRevalidatesItsFile() throws Exception {
        service.plan(Fixtures.invalid());
        service.validations.put(Path.of("etc/migration/plans/broken.json"), Fixtures.invalid());
        PlanValidateCommand c = wire(new PlanValidateCommand());
        c.migrations = service;
        c.target = "broken";
        c.execute();
        assertEquals(List.of(Path.of("etc/migration/plans/broken.json")), service.validated);
        assertEquals(List.of("plan 'broken' (etc/migration/plans/broken.json) is INVALID", "2 errors:",
                "  broken.json: users[1].to = '5000': VLAN id 5000 is out of range 1-4094",
                "  broken.json: virtualIp = '10.0.0.300': not an IPv4 or IPv6 address literal"), capture.lines());
    }

    @Test
    void planValidateOfAFilePath(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("new.json"), "{}");
        service.validations.put(file, Fixtures.valid());
        PlanValidateCommand c = wire(new PlanValidateCommand());
        c.migrations = service;
        c.target = file.toString();
        c.execute();
        assertEquals(List.of("plan 'video' (etc/migration/plans/video.json) is valid; runnable: yes"), capture.lines());
    }

    @Test
    void planValidateOfAnythingElseLeavesTheFileToTheCoordinator() {
        PlanValidateCommand c = wire(new PlanValidateCommand());
        c.migrations = service;
        c.target = "/etc/shadow";
        assertThrows(AssertionError.class, c::execute, "the fake coordinator knows no such file");
        assertEquals(List.of(Path.of("/etc/shadow")), service.validated, "the shell itself does not look at the file");
    }

    @Test
    void planValidateJson() throws Exception {
        service.plan(Fixtures.invalid());
        service.validations.put(Path.of("etc/migration/plans/broken.json"), Fixtures.invalid());
        PlanValidateCommand c = wire(new PlanValidateCommand());
        c.migrations = service;
        c.target = "broken";
        c.json = true;
        c.execute();
        JsonNode json = new ObjectMapper().readTree(capture.text());
        assertFalse(json.get("valid").asBoolean());
        assertEquals("10.0.0.300", json.at("/errors/1/value").asText());
    }

    @Test
    void dryRunPrintsTheVerdict() throws Exception {
        service.plan(Fixtures.valid());
        service.dryRuns.put("video", new DryRunReport("video", List.of(), List.of("srv-b: CRIU 4.2.1"),
                Duration.ofMillis(95), Duration.ofMillis(12)));
        DryRunCommand c = wire(new DryRunCommand());
        c.migrations = service;
        c.plan = "video";
        c.execute();
        assertEquals(List.of("Dry run of plan 'video': GO", "Notes:", "  srv-b: CRIU 4.2.1",
                "Estimated freeze window: 95.000 ms", "Estimated user blackout: 12.000 ms"), capture.lines());
    }

    @Test
    void dryRunJsonAndUnknownPlan() throws Exception {
        service.plan(Fixtures.valid());
        service.dryRuns.put("video", new DryRunReport("video", List.of(new Problem("sw1", "unreachable")), List.of(),
                Duration.ZERO, Duration.ZERO));
        DryRunCommand c = wire(new DryRunCommand());
        c.migrations = service;
        c.plan = "video";
        c.json = true;
        c.execute();
        JsonNode json = new ObjectMapper().readTree(capture.text());
        assertFalse(json.get("go").asBoolean());
        assertEquals("unreachable", json.at("/problems/0/cause").asText());

        c.plan = "ghost";
        assertEquals("unknown plan 'ghost'", assertThrows(CommandException.class, c::execute).getMessage());
    }
}
