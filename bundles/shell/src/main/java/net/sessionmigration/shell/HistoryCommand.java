package net.sessionmigration.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

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

    @Option(name = "--html", description = "Write one migration's timeline as a self-contained HTML page to this file")
    String html;

    @Option(name = "--svg", description = "Write one migration's timeline as an SVG picture to this file")
    String svg;

    @Option(name = "--user-record", multiValued = true,
            description = "NAME=FILE.json: a lab user client's record, drawn as that user's gaps on the timeline (repeatable)")
    List<String> userRecords;

    @Override
    protected void run(ShellOutput o) throws Exception {
        if (id == null && (html != null || svg != null || userRecords != null)) {
            throw new CommandException("--html, --svg and --user-record need a migration id");
        }
        if (userRecords != null && html == null && svg == null) {
            throw new CommandException("--user-record goes with --html FILE or --svg FILE");
        }
        if (id != null) {
            MigrationRecord record = Inputs.migration(migrations, id);
            if (html != null || svg != null) {
                List<UserTrack> users = new ArrayList<>();
                for (String r : userRecords == null ? List.<String>of() : userRecords) {
                    users.add(UserTrack.read(r));
                }
                if (html != null) {
                    write(o, html, Timeline.html(record, users, o.zone()));
                }
                if (svg != null) {
                    write(o, svg, new Timeline(record, users).svg() + "\n");
                }
                return;
            }
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

    private static void write(ShellOutput o, String file, String content) throws CommandException {
        Path path = Path.of(file).toAbsolutePath();
        try {
            Files.writeString(path, content);
        } catch (IOException e) {
            throw new CommandException("cannot write the timeline to " + path + ": " + e.getMessage());
        }
        o.println("timeline written to " + path);
    }
}
