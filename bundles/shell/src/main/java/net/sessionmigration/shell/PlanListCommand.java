package net.sessionmigration.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.PlanStatus;

@Service
@Command(scope = "migration", name = "plan-list",
        description = "Lists the plans: valid or not, mode, runnable or waiting for drivers, backup site active")
public class PlanListCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    protected void run(ShellOutput o) {
        List<PlanStatus> plans = migrations.plans();
        if (json) {
            o.json(plans);
        } else {
            o.table(PlanView.list(plans), !noFormat);
        }
    }
}
