package net.sessionmigration.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.Device;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.UserAttachment;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.model.Workload;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.PlanError;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;

/** Sample plans and flight records, and an output that tests can read back. */
final class Fixtures {
    /** 2025-01-02 03:04:05.000 UTC in epoch microseconds. */
    static final long T0 = 1_735_787_045_000_000L;

    private Fixtures() {
    }

    static MigrationPlan videoPlan() {
        return new MigrationPlan(1, "video", "video stream, main to backup", MigrationMode.MOVE,
                new VirtualIp("10.0.0.10"),
                Map.of("srv-a", new Server("srv-a", "main"), "srv-b", new Server("srv-b", "backup")),
                new Workload("video", "criu-daemon", "srv-a", "srv-b", true, true, Map.of("downtime_ms", "100")),
                Map.of("sw1", new Device("sw1", "snmp-qbridge")),
                List.of(new UserAttachment("alice", new AccessPort("sw1", "ge-0/0/1"), VlanId.of(10), VlanId.of(20), true),
                        new UserAttachment("bob", new AccessPort("sw1", "ge-0/0/2"), VlanId.of(10), VlanId.of(20), false)));
    }

    static PlanStatus valid() {
        return new PlanStatus("video", "etc/migration/plans/video.json", Optional.of(videoPlan()), List.of(), List.of(), false);
    }

    static PlanStatus waiting() {
        return new PlanStatus("video", "etc/migration/plans/video.json", Optional.of(videoPlan()), List.of(),
                List.of("snmp-qbridge"), true);
    }

    static PlanStatus invalid() {
        return new PlanStatus("broken", "etc/migration/plans/broken.json", Optional.empty(), List.of(
                new PlanError("broken.json", "users[1].to", "5000", "VLAN id 5000 is out of range 1-4094"),
                new PlanError("broken.json", "virtualIp", "10.0.0.300", "not an IPv4 or IPv6 address literal")),
                List.of(), false);
    }

    static MigrationRecord succeeded() {
        return new MigrationRecord("m-1", "video", MigrationMode.MOVE, "operator:karaf", MigrationState.SUCCEEDED,
                T0, T0 + 123_456,
                List.of(new StepRecord(Step.S701, T0, T0 + 10, StepOutcome.DONE, ""),
                        new StepRecord(Step.S703, T0 + 1_000, T0 + 11_250, StepOutcome.DONE, "frozen"),
                        new StepRecord(Step.S705, T0 + 60_000, T0 + 60_000, StepOutcome.SKIPPED, "VIP travels in the VM"),
                        new StepRecord(Step.S708, T0 + 70_000, T0 + 82_345, StepOutcome.DONE, "2 ports")),
                List.of(new OperationRecord(Step.S708, "snmp-qbridge", "sw1", "set dot1qPvid ge-0/0/1=20",
                        T0 + 70_100, T0 + 75_600, "ok")),
                Optional.empty(), List.of("announced 10.0.0.10 from srv-b"), 9_500);
    }

    static MigrationRecord rolledBack() {
        return new MigrationRecord("m-2", "video", MigrationMode.MOVE, "trap:ups-on-battery", MigrationState.ROLLED_BACK,
                T0, T0 + 45_000,
                List.of(new StepRecord(Step.S708, T0 + 20_000, T0 + 30_000, StepOutcome.FAILED, "port down")),
                List.of(), Optional.of(new Problem("sw1", "port ge-0/0/1 is down")), List.of());
    }

    static MigrationRecord running(String id) {
        return new MigrationRecord(id, "video", MigrationMode.REPLICATE, "operator:karaf", MigrationState.RUNNING,
                T0, 0, List.of(new StepRecord(Step.S704, T0 + 2_000, 0, StepOutcome.IN_PROGRESS, "")),
                List.of(), Optional.empty(), List.of());
    }

    static MigrationEvent event(String id, MigrationEvent.Kind kind, Step step, long micros, String message) {
        return new MigrationEvent(id, "video", kind, step, micros, message);
    }

    /** Captures what a command prints; ASCII table lines and UTC so the text is the same everywhere. */
    static final class Capture {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ShellOutput output = new ShellOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                StandardCharsets.US_ASCII, ZoneOffset.UTC);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        List<String> lines() {
            return text().lines().toList();
        }
    }
}
