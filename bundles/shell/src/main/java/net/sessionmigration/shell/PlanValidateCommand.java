package net.sessionmigration.shell;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.PlanStatus;

@Service
@Command(scope = "migration", name = "plan-validate",
        description = "Validates a loaded plan again, or a plan file in the plans folder, and prints its errors")
public class PlanValidateCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Argument(index = 0, name = "plan", description = "Plan name, or a file name in the plans folder", required = true)
    @Completion(PlanNameCompleter.class)
    String target;

    @Override
    protected void run(ShellOutput o) throws Exception {
        PlanStatus status = migrations.validate(file());
        if (json) {
            o.json(status);
        } else {
            PlanView.validation(status, o);
        }
    }

    /** A known plan's own file (the coordinator knows where it lives), else a file name in the plans folder. */
    private Path file() throws CommandException {
        var known = migrations.plan(target);
        if (known.isPresent()) {
            return Path.of(known.get().file());
        }
        try {
            return Path.of(target); // the coordinator reads it only inside its plans folder
        } catch (InvalidPathException e) {
            throw new CommandException("no plan named '" + target + "', and not a file name: " + e.getReason());
        }
    }
}
