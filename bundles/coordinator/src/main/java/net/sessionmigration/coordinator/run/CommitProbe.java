package net.sessionmigration.coordinator.run;

import java.util.Optional;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.UserSideProbe;

/**
 * Probe-verified commit: whether the user-side probe runs after S708, decided in one place for
 * the run and for dry-run. It runs whenever the plan names a probe host, unless the plan
 * disables it or the target copy cannot answer before resume (a paused VM).
 */
public final class CommitProbe {
    private CommitProbe() {
    }

    /**
     * Why a configured probe does not run, or empty when it runs.
     *
     * @param caps the mover's capabilities, empty when the driver cannot tell (then the probe runs:
     *             a wrong guess costs a rollback, never an unverified commit)
     */
    public static Optional<String> whyNot(MigrationPlan plan, Optional<MoverCapabilities> caps) {
        Optional<UserSideProbe> probe = plan.probe();
        if (probe.isEmpty()) {
            return Optional.of("the plan names no probe host");
        }
        if (!probe.get().enabled()) {
            return Optional.of("disabled in the plan (probe.enabled: false)");
        }
        if (plan.workload().freeze() && caps.map(c -> !c.targetAnswersWhileFrozen()).orElse(false)) {
            return Optional.of("probe not possible: driver `" + plan.workload().driverType()
                    + "` keeps the target copy silent until resume (S710), so v cannot answer before it");
        }
        return Optional.empty();
    }

    /** One line for the step detail and dry-run: who probes what. */
    public static String describe(MigrationPlan plan, UserSideProbe probe) {
        return probe.host() + " connects to " + plan.virtualIp() + ":" + probe.port() + " via `" + probe.driverType()
                + "` (timeout " + probe.timeout().toMillis() + " ms)";
    }
}
