package net.sessionmigration.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;

@Service
@Command(scope = "migration", name = "status",
        description = "Lists the running migrations, or shows one migration with its steps so far")
public class StatusCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Argument(index = 0, name = "id", description = "Migration id (default: every running migration)")
    @Completion(MigrationIdCompleter.class)
    String id;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    protected void run(ShellOutput o) throws Exception {
        if (id == null) {
            var running = migrations.running();
            if (json) {
                o.json(running);
            } else {
                o.table(MigrationView.list(running, o.zone(), true), !noFormat);
            }
            return;
        }
        MigrationRecord record = Inputs.migration(migrations, id);
        if (json) {
            o.json(record);
        } else {
            MigrationView.detail(record, o, !noFormat);
        }
    }
}
