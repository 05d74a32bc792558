package net.sessionmigration.coordinator.run;

import java.util.Optional;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.model.MigrationPlan;

/**
 * Whether the commit's session check runs at the end of S708, decided in one place for the run
 * and for dry-run: whenever the mover can check sessions and the plan freezes the workload (only
 * a frozen target copy lets a failed check roll back with nothing run at the target).
 */
public final class SessionCheckPolicy {
    public static final String DESCRIPTION = "the source took no byte after the checkpoint (else a user's"
            + " session is wedged), and the target reports its users' connections";

    private SessionCheckPolicy() {
    }

    /** Why the check does not run, or empty when it runs. */
    public static Optional<String> whyNot(MigrationPlan plan, Optional<MoverCapabilities> caps) {
        if (!plan.workload().freeze()) {
            return Optional.of("the plan does not freeze the workload");
        }
        if (caps.isEmpty()) {
            return Optional.of("driver `" + plan.workload().driverType() + "` is not installed");
        }
        if (!caps.get().checksSessions()) {
            return Optional.of("driver `" + plan.workload().driverType() + "` has no session check");
        }
        return Optional.empty();
    }
}
