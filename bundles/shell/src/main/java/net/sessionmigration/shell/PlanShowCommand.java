package net.sessionmigration.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.PlanStatus;

@Service
@Command(scope = "migration", name = "plan-show",
        description = "Shows one plan: mode, virtual IP, servers, workload, users with port and VLANs; or all its errors")
public class PlanShowCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Argument(index = 0, name = "plan", description = "Plan name", required = true)
    @Completion(PlanNameCompleter.class)
    String plan;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    protected void run(ShellOutput o) throws Exception {
        PlanStatus status = Inputs.plan(migrations, plan);
        if (json) {
            o.json(status);
        } else {
            PlanView.show(status, o, !noFormat);
        }
    }
}
