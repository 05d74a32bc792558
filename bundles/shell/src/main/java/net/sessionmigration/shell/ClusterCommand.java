package net.sessionmigration.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.MigrationService;

@Service
@Command(scope = "migration", name = "cluster",
        description = "This coordinator's cluster: members, the leader and its epoch, the ZooKeeper connection, and"
                + " why this coordinator may not start migrations, if it may not")
public class ClusterCommand extends MigrationCommand {

    @Reference
    MigrationService migrations;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    protected void run(ShellOutput o) {
        ClusterStatus c = migrations.cluster();
        if (json) {
            o.json(c);
            return;
        }
        if (!c.clustered()) {
            o.println("alone: this coordinator runs every migration itself, with its own journal"
                    + " (journal.store = local)");
            return;
        }
        o.println("member " + c.member() + (c.leading() ? ", leading" : ", following") + "; leader "
                + c.leader().orElse("none") + ", epoch " + c.epoch() + "; ZooKeeper " + c.zookeeper() + " ("
                + c.connect() + ")");
        c.whyNotLeading().ifPresent(why -> o.println("no migration starts here: " + why));
        o.table(table(c), !noFormat);
    }

    static ShellTable table(ClusterStatus c) {
        ShellTable table = new ShellTable().emptyTableText("no member connected (ZooKeeper " + c.zookeeper() + ")");
        table.column("Member");
        table.column("Role");
        table.column("This one");
        for (String m : c.members()) {
            table.addRow().addContent(m, c.leader().filter(m::equals).isPresent() ? "leader" : "follower",
                    m.equals(c.member()) ? "*" : "");
        }
        return table;
    }
}
