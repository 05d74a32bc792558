package net.sessionmigration.shell;

import java.time.Duration;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;

@Service
@Command(scope = "migration", name = "watch",
        description = "Follows a running migration live until it ends; Ctrl-C stops watching, not the migration")
public class WatchCommand extends MigrationCommand {
    /** Watching has no deadline of its own: the coordinator's step timeouts end every migration. */
    static final Duration UNTIL_IT_ENDS = Duration.ofDays(1);

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
            if (json) {
                o.json(record);
            } else {
                o.println("already finished: " + MigrationView.verdict(record));
            }
            return;
        }
        MigrationFollower follower = new MigrationFollower(migrations, admin, id);
        admin.addListener(follower);
        try {
            follower.display(id, UNTIL_IT_ENDS, o, json);
        } finally {
            admin.removeListener(follower);
        }
    }
}
