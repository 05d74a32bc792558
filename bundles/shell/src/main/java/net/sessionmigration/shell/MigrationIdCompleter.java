package net.sessionmigration.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;

/** Completes the ids of running migrations and of the most recent ones in the history. */
@Service
public class MigrationIdCompleter implements Completer {
    static final int RECENT = 50;

    @Reference
    MigrationService migrations;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        migrations.running().stream().map(MigrationRecord::id).forEach(delegate.getStrings()::add);
        migrations.history(RECENT).stream().map(MigrationRecord::id).forEach(delegate.getStrings()::add);
        return delegate.complete(session, commandLine, candidates);
    }
}
