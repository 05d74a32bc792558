package net.sessionmigration.coordinator.plan;

import java.util.ArrayList;
import java.util.List;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.UserAttachment;
import net.sessionmigration.api.service.PlanError;

/**
 * What a plan asks of its workload mover against what the installed driver can do. Run
 * whenever a plan is shown or started, because the driver may be installed or replaced later.
 */
public final class CapabilityCheck {
    private CapabilityCheck() {
    }

    public static List<PlanError> check(String file, MigrationPlan plan, MigrationMode mode, MoverCapabilities can) {
        List<PlanError> errors = new ArrayList<>();
        String driver = "driver `" + plan.workload().driverType() + "`";
        if (mode == MigrationMode.REPLICATE && !can.canReplicate()) {
            errors.add(new PlanError(file, "mode", mode.name(), driver + " cannot replicate a workload; use MOVE"));
        }
        if (plan.workload().freeze() && !can.canFreeze()) {
            errors.add(new PlanError(file, "workload.freeze", "true",
                    driver + " cannot freeze a workload; set \"freeze\": false"));
        }
        if (plan.workload().moveVirtualIp() && !can.canMoveVirtualIp()) {
            errors.add(new PlanError(file, "workload.moveVirtualIp", "true", driver
                    + " cannot move the virtual IP (the address travels inside the workload);"
                    + " set \"moveVirtualIp\": false"));
        }
        return errors;
    }

    /** A start may override the plan's mode; REPLICATE then still needs a user near the backup. */
    public static List<PlanError> modeCheck(String file, MigrationPlan plan, MigrationMode mode) {
        if (mode == MigrationMode.REPLICATE && plan.users().stream().noneMatch(UserAttachment::nearBackup)) {
            return List.of(new PlanError(file, "users", "",
                    "REPLICATE switches only users with \"nearBackup\": true, and no user has it"));
        }
        return List.of();
    }
}
