package net.sessionmigration.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.PlanStatus;

/** Completes the names of the plans the coordinator holds, valid or not. */
@Service
public class PlanNameCompleter implements Completer {

    @Reference
    MigrationService migrations;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        migrations.plans().stream().map(PlanStatus::name).forEach(delegate.getStrings()::add);
        return delegate.complete(session, commandLine, candidates);
    }
}
