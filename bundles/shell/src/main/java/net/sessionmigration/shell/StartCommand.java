package net.sessionmigration.shell;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.StartRequest;

@Service
@Command(scope = "migration", name = "start",
        description = "Runs a plan (S701-S711) and shows each step as it completes; Ctrl-C stops watching, not the migration")
public class StartCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Reference
    MigrationAdminService admin;

    @Reference
    Session session;

    @Argument(index = 0, name = "plan", description = "Plan name", required = true)
    @Completion(PlanNameCompleter.class)
    String plan;

    @Option(name = "--mode", description = "Override the plan's mode: MOVE or REPLICATE")
    String mode;

    @Option(name = "--no-wait", description = "Print only the migration id and return at once")
    boolean noWait;

    @Option(name = "--timeout", description = "Stop showing progress after this many seconds (default 600)")
    int timeoutSeconds = 600;

    @Override
    protected void run(ShellOutput o) throws Exception {
        Inputs.plan(migrations, plan);
        var request = new StartRequest(plan, trigger(), mode == null ? Optional.empty() : Optional.of(Inputs.mode(mode)));
        Duration timeout = Duration.ofSeconds(Inputs.positive("timeout", timeoutSeconds));
        MigrationFollower follower = new MigrationFollower(migrations, admin, null);
        String id = Inputs.orFail(admin.start(request, noWait ? event -> { } : follower));
        if (noWait) {
            if (json) {
                o.json(Map.of("id", id));
            } else {
                o.println(id);
            }
            return;
        }
        if (!json) {
            o.println("migration " + id + " of plan '" + plan + "' started by " + request.trigger());
        }
        follower.display(id, timeout, o, json);
    }

    /** "operator:" and the shell user, kept in the history as who asked. */
    private String trigger() {
        Object user = session == null ? null : session.get("USER");
        return user == null || user.toString().isBlank() ? "operator" : "operator:" + user;
    }
}
