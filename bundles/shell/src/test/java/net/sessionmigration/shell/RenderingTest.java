package net.sessionmigration.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationEvent.Kind;

/** The plain formatting classes, without any command around them. */
class RenderingTest {
    private final ObjectMapper reader = new ObjectMapper();

    @Test
    void millisecondsKeepMicrosecondPrecision() {
        assertEquals("1234.567", TimeFormat.millis(1_234_567L));
        assertEquals("0.001", TimeFormat.millis(1L));
        assertEquals("95.000 ms", TimeFormat.millis(Duration.ofMillis(95)));
        assertEquals("0.250 ms", TimeFormat.millis(Duration.ofNanos(250_000)));
        assertEquals("unknown", TimeFormat.millis((Duration) null));
    }

    @Test
    void wallClockUsesTheGivenZone() {
        assertEquals("2025-01-02 03:04:05.000", TimeFormat.wallClock(Fixtures.T0, ZoneOffset.UTC));
        assertEquals("2025-01-02 03:04:05.123", TimeFormat.wallClock(Fixtures.T0 + 123_456, ZoneOffset.UTC));
        assertEquals("-", TimeFormat.wallClock(0, ZoneOffset.UTC));
    }

    @Test
    void liveLinesShowStepElapsedAndIndentedProgress() {
        String done = MigrationView.event(Fixtures.event("m-1", Kind.STEP_DONE, Step.S704, 85_120, "")).orElseThrow();
        assertEquals("     +85.120 ms  S704  workload migrated to the target", done);
        String progress = MigrationView.event(Fixtures.event("m-1", Kind.PROGRESS, Step.S704, 50_000, "copied 64 of 128 MB"))
                .orElseThrow();
        assertEquals(" ".repeat(23) + "copied 64 of 128 MB", progress);
        assertEquals(progress.indexOf("copied"), done.indexOf("workload"), "progress sits under the description");
        assertEquals("     +10.000 ms  S703  (skipped) workload frozen",
                MigrationView.event(Fixtures.event("m-1", Kind.STEP_SKIPPED, Step.S703, 10_000, null)).orElseThrow());
        assertTrue(MigrationView.event(Fixtures.event("m-1", Kind.STEP_FAILED, Step.S708, 1, "sw1: port down"))
                .orElseThrow().endsWith("S708  FAILED users' access ports switched - sw1: port down"));
        assertTrue(MigrationView.event(Fixtures.event("m-1", Kind.ROLLBACK, Step.S708, 1, "restoring ports"))
                .orElseThrow().endsWith("rollback: restoring ports"));
        assertEquals(Optional.empty(), MigrationView.event(Fixtures.event("m-1", Kind.STEP_STARTED, Step.S704, 1, "")));
        assertEquals(Optional.empty(), MigrationView.event(Fixtures.event("m-1", Kind.FINISHED, null, 1, "SUCCEEDED")));
    }

    @Test
    void verdictNamesStateDurationAndFailure() {
        assertEquals("SUCCEEDED: migration m-1 of plan 'video' (MOVE) after 123.456 ms",
                MigrationView.verdict(Fixtures.succeeded()));
        assertEquals("ROLLED_BACK: migration m-2 of plan 'video' (MOVE) after 45.000 ms; failed at sw1: port ge-0/0/1 is down",
                MigrationView.verdict(Fixtures.rolledBack()));
        assertTrue(MigrationView.verdict(Fixtures.running("m-3")).contains("is still going"));
    }

    @Test
    void dryRunSaysGoOrNoGoWithEveryProblemAndEstimates() {
        var capture = new Fixtures.Capture();
        DryRunView.print(new DryRunReport("video", List.of(new Problem("sw1", "port ge-0/0/1 on VLAN 30, plan says 10"),
                new Problem("srv-b", "daemon unreachable")), List.of("QEMU uses TCG"), Duration.ofMillis(95),
                Duration.ofMillis(12)), capture.output);
        assertEquals(List.of("Dry run of plan 'video': NO-GO", "Problems:", "  sw1: port ge-0/0/1 on VLAN 30, plan says 10",
                "  srv-b: daemon unreachable", "Notes:", "  QEMU uses TCG", "Estimated freeze window: 95.000 ms",
                "Estimated user blackout: 12.000 ms"), capture.lines());
    }

    @Test
    void jsonRendersOptionalsVlansAddressesAndDerivedFacts() throws Exception {
        JsonNode plan = reader.readTree(JsonOutput.write(Fixtures.waiting()));
        assertTrue(plan.get("valid").asBoolean());
        assertEquals(false, plan.get("runnable").asBoolean());
        assertEquals("10.0.0.10", plan.at("/plan/virtualIp").asText());
        assertEquals(20, plan.at("/plan/users/0/to").asInt());
        assertEquals("ge-0/0/1", plan.at("/plan/users/0/port/port").asText());
        assertTrue(JsonOutput.write(Fixtures.valid()).contains("\n  \""), "pretty-printed");

        JsonNode failed = reader.readTree(JsonOutput.write(Fixtures.rolledBack()));
        assertEquals("sw1", failed.at("/failure/device").asText());
        assertEquals(45_000, failed.get("durationMicros").asLong());
        assertEquals(10_000, failed.at("/steps/0/durationMicros").asLong());
        assertTrue(reader.readTree(JsonOutput.write(Fixtures.succeeded())).get("failure").isNull());

        JsonNode dry = reader.readTree(JsonOutput.write(new DryRunReport("video", List.of(), List.of(),
                Duration.ofMillis(95), null)));
        assertTrue(dry.get("go").asBoolean());
        assertEquals("PT0.095S", dry.get("estimatedFreezeWindow").asText());
    }
}
