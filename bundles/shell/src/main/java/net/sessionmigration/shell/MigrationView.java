package net.sessionmigration.shell;

import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import org.apache.karaf.shell.support.table.ShellTable;

import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;

/** Migrations: lists, one flight record in detail, live event lines and the closing verdict. */
final class MigrationView {
    /** Progress lines sit under the step description of the live display. */
    private static final String PROGRESS_INDENT = " ".repeat(23);

    private MigrationView() {
    }

    /** The history list; with {@code currentStep}, the status list of running migrations. */
    static ShellTable list(List<MigrationRecord> records, ZoneId zone, boolean currentStep) {
        ShellTable table = new ShellTable().emptyTableText(currentStep ? "no migration running" : "no migrations yet");
        table.column("ID");
        table.column("Plan");
        table.column("Mode");
        table.column("Trigger");
        table.column("State");
        table.column("Started");
        table.column("Duration (ms)").alignRight();
        table.column("Freeze est./actual (ms)").alignRight();
        if (currentStep) {
            table.column("Current step");
        }
        for (MigrationRecord r : records) {
            var row = table.addRow();
            row.addContent(r.id(), r.plan(), r.mode(), r.trigger(), r.state(), TimeFormat.wallClock(r.startMicros(), zone),
                    r.endMicros() == 0 ? "running" : TimeFormat.millis(r.durationMicros()), freeze(r));
            if (currentStep) {
                row.addContent(lastStep(r).map(s -> s.step() + " " + s.outcome()).orElse("-"));
            }
        }
        return table;
    }

    /** The freeze window S702 estimated and the one that happened (S703 to the end of S710), side by side. */
    static String freeze(MigrationRecord r) {
        String expected = r.expectedFreezeMicros() == 0 ? "-" : TimeFormat.millis(r.expectedFreezeMicros());
        String actual = r.actualFreezeMicros().isPresent() ? TimeFormat.millis(r.actualFreezeMicros().getAsLong()) : "-";
        return expected + " / " + actual;
    }

    private static Optional<StepRecord> lastStep(MigrationRecord r) {
        return r.steps().isEmpty() ? Optional.empty() : Optional.of(r.steps().get(r.steps().size() - 1));
    }

    static void detail(MigrationRecord r, ShellOutput o, boolean format) {
        o.println("Migration  " + r.id());
        o.println("Plan       " + r.plan());
        o.println("Mode       " + r.mode());
        o.println("Trigger    " + r.trigger());
        o.println("State      " + r.state());
        o.println("Started    " + TimeFormat.wallClock(r.startMicros(), o.zone()));
        o.println("Duration   " + (r.endMicros() == 0 ? "running" : TimeFormat.millis(r.durationMicros()) + " ms"));
        o.println("Freeze     " + freeze(r) + " ms (estimated at S702 / actual, S703 to the end of S710)");
        o.println();
        o.println("Step timeline:");
        o.table(steps(r), format);
        o.println();
        o.println("Driver operations:");
        o.table(operations(r), format);
        r.failure().ifPresent(p -> {
            o.println();
            o.println("Failure    " + p);
        });
        if (!r.notes().isEmpty()) {
            o.println();
            o.println("Notes:");
            r.notes().forEach(n -> o.println("  - " + n));
        }
    }

    private static ShellTable steps(MigrationRecord r) {
        ShellTable table = new ShellTable().emptyTableText("no steps recorded");
        table.column("Step");
        table.column("Description");
        table.column("Outcome");
        table.column("Start (ms)").alignRight();
        table.column("Duration (ms)").alignRight();
        table.column("Detail");
        for (StepRecord s : r.steps()) {
            table.addRow().addContent(s.step(), s.step().description(), s.outcome(),
                    TimeFormat.millis(s.startMicros() - r.startMicros()),
                    s.endMicros() == 0 || s.outcome() == StepOutcome.IN_PROGRESS ? "running" : TimeFormat.millis(s.durationMicros()),
                    s.detail() == null ? "" : s.detail());
        }
        return table;
    }

    private static ShellTable operations(MigrationRecord r) {
        ShellTable table = new ShellTable().emptyTableText("no driver operations recorded");
        table.column("Step");
        table.column("Driver");
        table.column("Device");
        table.column("Operation");
        table.column("Start (ms)").alignRight();
        table.column("Duration (ms)").alignRight();
        table.column("Outcome");
        for (OperationRecord op : r.operations()) {
            table.addRow().addContent(op.step(), op.driverType(), op.device(), op.operation(),
                    TimeFormat.millis(op.startMicros() - r.startMicros()),
                    op.endMicros() == 0 ? "running" : TimeFormat.millis(op.durationMicros()), op.outcome());
        }
        return table;
    }

    /** The line that closes a live display: the state, how long, and on failure which device and why. */
    static String verdict(MigrationRecord r) {
        StringBuilder line = new StringBuilder()
                .append(r.state()).append(": migration ").append(r.id())
                .append(" of plan '").append(r.plan()).append("' (").append(r.mode()).append(')');
        if (r.state().finished()) {
            line.append(" after ").append(TimeFormat.millis(r.durationMicros())).append(" ms");
        } else {
            line.append(" is still going");
        }
        r.failure().ifPresent(p -> line.append("; failed at ").append(p));
        return line.toString();
    }

    /** One live line per step that ended, progress indented; nothing for step starts and the end marker. */
    static Optional<String> event(MigrationEvent e) {
        String message = e.message() == null || e.message().isBlank() ? "" : e.message();
        String at = String.format(java.util.Locale.ROOT, "%12s ms", "+" + TimeFormat.millis(e.elapsedMicros()));
        return switch (e.kind()) {
            case STEP_DONE -> Optional.of(stepLine(at, e, "", message));
            case STEP_SKIPPED -> Optional.of(stepLine(at, e, "(skipped) ", message));
            case STEP_FAILED -> Optional.of(stepLine(at, e, "FAILED ", message));
            case PROGRESS -> message.isEmpty() ? Optional.empty() : Optional.of(PROGRESS_INDENT + message);
            case ROLLBACK -> Optional.of(at + "  rollback" + (message.isEmpty() ? "" : ": " + message));
            case STEP_STARTED, FINISHED -> Optional.empty();
        };
    }

    private static String stepLine(String at, MigrationEvent e, String tag, String message) {
        String description = e.step() == null ? "" : e.step().description();
        String text = at + "  " + (e.step() == null ? "    " : e.step().name()) + "  " + tag + description;
        return message.isEmpty() ? text : text + " - " + message;
    }
}
