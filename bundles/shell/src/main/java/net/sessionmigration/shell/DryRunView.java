package net.sessionmigration.shell;

import net.sessionmigration.api.service.DryRunReport;

/** A dry run as a go / no-go verdict with its reasons and estimates. */
final class DryRunView {
    private DryRunView() {
    }

    static void print(DryRunReport report, ShellOutput o) {
        o.println("Dry run of plan '" + report.plan() + "': " + (report.go() ? "GO" : "NO-GO"));
        if (!report.problems().isEmpty()) {
            o.println("Problems:");
            report.problems().forEach(p -> o.println("  " + p));
        }
        if (!report.notes().isEmpty()) {
            o.println("Notes:");
            report.notes().forEach(n -> o.println("  " + n));
        }
        o.println("Estimated freeze window: " + TimeFormat.millis(report.estimatedFreezeWindow()));
        o.println("Estimated user blackout: " + TimeFormat.millis(report.estimatedUserBlackout()));
    }
}
