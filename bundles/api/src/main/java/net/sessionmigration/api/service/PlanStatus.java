package net.sessionmigration.api.service;

import java.util.List;
import java.util.Optional;

import net.sessionmigration.api.model.MigrationPlan;

/**
 * A plan as the coordinator holds it: valid (with the plan) or invalid (with every error),
 * never half-loaded; the driver types it needs that are not installed; whether its backup
 * site is active (set by a REPLICATE, reset by the operator).
 */
public record PlanStatus(String name, String file, Optional<MigrationPlan> plan, List<PlanError> errors,
                         List<String> missingDrivers, boolean backupActive) {
    public PlanStatus {
        errors = List.copyOf(errors);
        missingDrivers = List.copyOf(missingDrivers);
    }

    public boolean valid() {
        return plan.isPresent() && errors.isEmpty();
    }

    public boolean runnable() {
        return valid() && missingDrivers.isEmpty();
    }
}
