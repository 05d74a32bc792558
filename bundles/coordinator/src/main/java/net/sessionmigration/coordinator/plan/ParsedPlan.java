package net.sessionmigration.coordinator.plan;

import java.util.List;
import java.util.Optional;

import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.service.PlanError;

/**
 * One plan file as read: the plan when the file is valid, otherwise every error and no plan.
 *
 * @param name   the plan name, which is the file name without {@code .json}
 * @param source the file's text, kept so that a migration journals exactly the plan it ran
 */
public record ParsedPlan(String name, String file, Optional<MigrationPlan> plan, List<PlanError> errors,
                         String source) {
    public ParsedPlan {
        errors = List.copyOf(errors);
        if (plan.isPresent() && !errors.isEmpty()) {
            // never half-loaded: a plan with errors is not a plan
            plan = Optional.empty();
        }
    }

    public boolean valid() {
        return plan.isPresent();
    }
}
