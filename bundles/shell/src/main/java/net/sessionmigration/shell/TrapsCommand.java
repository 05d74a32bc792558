package net.sessionmigration.shell;

import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

import net.sessionmigration.api.service.TriggerService;

@Service
@Command(scope = "migration", name = "traps",
        description = "Shows the trap receiver's counters by SNMP version and outcome, and the trigger rules")
public class TrapsCommand extends MigrationCommand {

    @Reference(optional = true)
    TriggerService triggers;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    protected void run(ShellOutput o) throws CommandException {
        if (triggers == null) {
            throw new CommandException("the trap receiver is not installed (feature:install sm-trap-receiver)");
        }
        var statistics = triggers.statistics();
        var rules = triggers.rules();
        if (json) {
            o.json(Map.of("statistics", statistics, "rules", rules));
            return;
        }
        o.println("Listening: " + statistics.listening() + "; queue " + statistics.queueDepth() + " of "
                + statistics.queueCapacity() + "; dropped by the kernel (socket buffer full): "
                + (statistics.kernelDrops() < 0 ? "unknown" : statistics.kernelDrops()));
        o.table(TriggerView.counters(statistics), !noFormat);
        o.println();
        o.table(TriggerView.rules(rules), !noFormat);
    }
}
