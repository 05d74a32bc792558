package net.sessionmigration.shell;

import java.util.Map;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;

@Service
@Command(scope = "migration", name = "abort",
        description = "Stops a running migration: rolls back before the workload resumes at the target, else finishes forward")
public class AbortCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Reference
    MigrationAdminService admin;

    @Argument(index = 0, name = "id", description = "Migration id", required = true)
    @Completion(MigrationIdCompleter.class)
    String id;

    @Override
    protected void run(ShellOutput o) throws Exception {
        MigrationRecord record = Inputs.migration(migrations, id);
        if (record.state().finished()) {
            throw new CommandException("migration '" + id + "' already finished (" + record.state() + ")");
        }
        String answer = Inputs.orFail(admin.abort(id));
        if (json) {
            o.json(Map.of("id", id, "message", answer));
        } else {
            o.println(answer);
        }
    }
}
