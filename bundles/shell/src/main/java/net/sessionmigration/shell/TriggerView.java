package net.sessionmigration.shell;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.karaf.shell.support.table.ShellTable;

import net.sessionmigration.api.service.TrapStatistics;
import net.sessionmigration.api.service.TriggerRuleStatus;

/** The trap receiver's counters (a row per SNMP version) and its trigger rules. */
final class TriggerView {
    private static final List<String> OUTCOMES = List.of("received", "matched", "duplicates", "ignored",
            "malformed", "authFailures", "queueDrops", "informsAcked");

    private TriggerView() {
    }

    static ShellTable counters(TrapStatistics statistics) {
        ShellTable table = new ShellTable().emptyTableText("no traps received");
        table.column("Version");
        OUTCOMES.forEach(outcome -> table.column(outcome).alignRight());
        for (String version : new TreeSet<>(statistics.counts().keySet())) {
            Map<String, Long> counts = statistics.counts().get(version);
            var row = table.addRow();
            row.addContent(version);
            OUTCOMES.forEach(outcome -> row.addContent(counts.getOrDefault(outcome, 0L)));
        }
        return table;
    }

    static ShellTable rules(List<TriggerRuleStatus> rules) {
        ShellTable table = new ShellTable().emptyTableText("no trigger rules configured");
        table.column("Rule");
        table.column("Kind");
        table.column("Plan");
        table.column("Fired").alignRight();
        table.column("State");
        rules.forEach(r -> table.addRow().addContent(r.name(), r.kind(), r.plan(), r.fired(),
                r.valid() ? r.state() : "INVALID: " + String.join("; ", r.errors())));
        return table;
    }
}
