package net.sessionmigration.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import net.sessionmigration.api.service.MigrationService;

@Service
@Command(scope = "migration", name = "drivers",
        description = "Lists driver types: capability, installed or not, vendor, and the plans waiting for missing ones")
public class DriversCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    protected void run(ShellOutput o) {
        var drivers = migrations.drivers();
        if (json) {
            o.json(drivers);
        } else {
            o.table(DriverView.table(drivers), !noFormat);
        }
    }
}
