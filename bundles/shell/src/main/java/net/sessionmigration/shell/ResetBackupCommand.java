package net.sessionmigration.shell;

import java.util.Map;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationService;

@Service
@Command(scope = "migration", name = "reset-backup",
        description = "Clears a plan's backup-active flag so that the load rule may replicate again")
public class ResetBackupCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Reference
    MigrationAdminService admin;

    @Argument(index = 0, name = "plan", description = "Plan name", required = true)
    @Completion(PlanNameCompleter.class)
    String plan;

    @Override
    protected void run(ShellOutput o) throws Exception {
        Inputs.plan(migrations, plan);
        String answer = Inputs.orFail(admin.resetBackupActive(plan));
        if (json) {
            o.json(Map.of("plan", plan, "message", answer));
        } else {
            o.println(answer);
        }
    }
}
