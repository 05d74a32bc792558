package net.sessionmigration.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationService;

@Service
@Command(scope = "migration", name = "dry-run",
        description = "Validates a plan and asks every driver's preflight: GO or NO-GO with every problem; changes nothing")
public class DryRunCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Argument(index = 0, name = "plan", description = "Plan name", required = true)
    @Completion(PlanNameCompleter.class)
    String plan;

    @Override
    protected void run(ShellOutput o) throws Exception {
        Inputs.plan(migrations, plan);
        DryRunReport report = migrations.dryRun(plan);
        if (json) {
            o.json(report);
        } else {
            DryRunView.print(report, o);
        }
    }
}
