package net.sessionmigration.shell;

import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

import org.apache.karaf.shell.support.table.ShellTable;

import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.UserAttachment;
import net.sessionmigration.api.model.Workload;
import net.sessionmigration.api.service.PlanError;
import net.sessionmigration.api.service.PlanStatus;

/** Plans as the operator reads them: the list, one plan in full, validation errors. */
final class PlanView {
    private PlanView() {
    }

    static ShellTable list(List<PlanStatus> plans) {
        ShellTable table = new ShellTable().emptyTableText("no plans");
        table.column("Name");
        table.column("Valid");
        table.column("Mode");
        table.column("Runnable");
        table.column("Backup active");
        table.column("File");
        plans.stream().sorted(Comparator.comparing(PlanStatus::name)).forEach(p -> table.addRow().addContent(
                p.name(),
                p.valid() ? "valid" : "invalid (" + p.errors().size() + " errors)",
                p.plan().map(plan -> plan.mode().name()).orElse("-"),
                readiness(p),
                yesNo(p.backupActive()),
                p.file()));
        return table;
    }

    /** "yes", "waiting for drivers: a, b", or "no (invalid)". */
    static String readiness(PlanStatus p) {
        if (!p.valid()) {
            return "no (invalid)";
        }
        return p.missingDrivers().isEmpty() ? "yes" : "waiting for drivers: " + String.join(", ", p.missingDrivers());
    }

    static void show(PlanStatus status, ShellOutput o, boolean format) {
        o.println("Plan           " + status.name());
        o.println("File           " + status.file());
        o.println("Status         " + (status.valid() ? "valid" : "INVALID") + ", runnable: " + readiness(status));
        o.println("Backup active  " + yesNo(status.backupActive()));
        if (status.plan().isEmpty() || !status.errors().isEmpty()) {
            errors(status.errors(), o);
            return;
        }
        MigrationPlan plan = status.plan().get();
        Workload w = plan.workload();
        o.println("Description    " + (plan.description() == null ? "" : plan.description()));
        o.println("Schema         " + plan.schemaVersion());
        o.println("Mode           " + plan.mode());
        o.println("Virtual IP     " + plan.virtualIp());
        o.println("Workload       " + w.name() + " (driver " + w.driverType() + ") from " + w.source()
                + " to " + w.target() + "; freeze " + yesNo(w.freeze()) + ", move VIP " + yesNo(w.moveVirtualIp()));
        if (!w.options().isEmpty()) {
            o.println("Options        " + new TreeMap<>(w.options()));
        }
        o.println("Probe          " + plan.probe().map(p -> p.host() + " connects to " + plan.virtualIp() + ":"
                + p.port() + " via " + p.driverType() + " after S708, timeout " + p.timeout().toMillis() + " ms"
                + (p.enabled() ? "" : " (disabled)")).orElse("none"));
        o.println();
        ShellTable servers = new ShellTable();
        servers.column("Server");
        servers.column("Site");
        servers.column("Role");
        new TreeMap<>(plan.servers()).values().forEach(s -> servers.addRow().addContent(s.name(), s.site(), role(w, s)));
        o.table(servers, format);
        o.println();
        ShellTable devices = new ShellTable();
        devices.column("Device");
        devices.column("Driver");
        new TreeMap<>(plan.devices()).values().forEach(d -> devices.addRow().addContent(d.name(), d.driverType()));
        o.table(devices, format);
        o.println();
        o.table(users(plan.users()), format);
    }

    private static ShellTable users(List<UserAttachment> users) {
        ShellTable table = new ShellTable().emptyTableText("no users");
        table.column("User");
        table.column("Port");
        table.column("From VLAN").alignRight();
        table.column("To VLAN").alignRight();
        table.column("Near backup");
        users.forEach(u -> table.addRow().addContent(u.name(), u.port().toString(), u.from().value(),
                u.to().value(), yesNo(u.nearBackup())));
        return table;
    }

    private static String role(Workload w, Server s) {
        return s.name().equals(w.source()) ? "source" : s.name().equals(w.target()) ? "target" : "";
    }

    /** One line per error, each naming the file, the field path and the bad value. */
    static void errors(List<PlanError> errors, ShellOutput o) {
        o.println(errors.size() + (errors.size() == 1 ? " error:" : " errors:"));
        errors.forEach(e -> o.println("  " + e));
    }

    static void validation(PlanStatus status, ShellOutput o) {
        if (status.valid()) {
            o.println("plan '" + status.name() + "' (" + status.file() + ") is valid; runnable: " + readiness(status));
        } else {
            o.println("plan '" + status.name() + "' (" + status.file() + ") is INVALID");
            errors(status.errors(), o);
        }
    }

    static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
