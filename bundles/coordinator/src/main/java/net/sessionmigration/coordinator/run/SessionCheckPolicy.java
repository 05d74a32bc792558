package net.sessionmigration.coordinator.run;

import java.util.Optional;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;

/**
 * Whether the commit's session check runs in S708, and whether beside the port moves, decided in
 * one place for the run and for dry-run: it runs whenever the mover can check sessions and the
 * plan freezes the workload (only a frozen target copy lets a failed check roll back with nothing
 * run at the target); beside the moves once the virtual IP has left the source at S705 in MOVE,
 * since nothing reaches the source copy after that.
 */
public final class SessionCheckPolicy {
    public static final String DESCRIPTION = "the source took no byte after the checkpoint (else a user's"
            + " session is wedged)";

    private SessionCheckPolicy() {
    }

    /**
     * Whether the check runs beside the users' port moves rather than after them: in MOVE with
     * the virtual IP moved at S705, the source copy gets nothing more, so what it took is final.
     * In REPLICATE the source keeps the address and a moving user reaches it until its port moved.
     */
    public static boolean besideTheMoves(MigrationMode mode, boolean virtualIpMoved) {
        return mode == MigrationMode.MOVE && virtualIpMoved;
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
