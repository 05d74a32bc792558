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
@Command(scope = "migration", name = "history",
        description = "Lists past migrations newest first, or shows one: step timeline, driver operations, failure, notes")
public class HistoryCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Argument(index = 0, name = "id", description = "Migration id (default: the list)")
    @Completion(MigrationIdCompleter.class)
    String id;

    @Option(name = "--limit", description = "At most this many migrations in the list (default 20)")
    int limit = 20;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    protected void run(ShellOutput o) throws Exception {
        if (id != null) {
            MigrationRecord record = Inputs.migration(migrations, id);
            if (json) {
                o.json(record);
            } else {
                MigrationView.detail(record, o, !noFormat);
            }
            return;
        }
        var records = migrations.history(Inputs.positive("limit", limit));
        if (json) {
            o.json(records);
        } else {
            o.table(MigrationView.list(records, o.zone(), false), !noFormat);
        }
    }
}
