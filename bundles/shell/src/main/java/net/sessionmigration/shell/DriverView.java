package net.sessionmigration.shell;

import java.util.Comparator;
import java.util.List;

import org.apache.karaf.shell.support.table.ShellTable;

import net.sessionmigration.api.service.DriverStatus;

/** Installed driver types, and the plans that wait for the missing ones. */
final class DriverView {
    private DriverView() {
    }

    static ShellTable table(List<DriverStatus> drivers) {
        ShellTable table = new ShellTable().emptyTableText("no drivers installed or wanted");
        table.column("Driver type");
        table.column("Capability");
        table.column("Installed");
        table.column("Vendor");
        table.column("Plans waiting");
        table.column("Used by");
        table.column("Also installed, not used");
        drivers.stream().sorted(Comparator.comparing(DriverStatus::driverType)).forEach(d -> {
            String plans = d.plans().isEmpty() ? "-" : String.join(", ", d.plans());
            table.addRow().addContent(d.driverType(), d.capability(), PlanView.yesNo(d.installed()),
                    d.vendor() == null || d.vendor().isEmpty() ? "-" : d.vendor(),
                    d.installed() ? "-" : plans,
                    d.installed() ? plans : "-",
                    d.notUsed().isEmpty() ? "-" : String.join("; ", d.notUsed()));
        });
        return table;
    }
}
