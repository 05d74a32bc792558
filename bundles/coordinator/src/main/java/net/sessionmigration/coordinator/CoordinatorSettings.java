package net.sessionmigration.coordinator;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The coordinator's settings, independent of Config Admin.
 *
 * @param plansPoll  how often the plan folder is re-read; zero means only on demand
 *                   ({@link SessionMigrationCoordinator#refreshPlans()} and every read of the plans)
 * @param historyKeep finished migrations kept in the journal
 * @param keepWarm   how often every runnable plan's dry-run runs while no migration does (and soon
 *                   after drivers come or go), so that connections, authentication and caches on
 *                   the path of a migration are ready when one comes; zero means never
 */
public record CoordinatorSettings(Path plansDir, Duration stepTimeout, Duration plansPoll, int historyKeep,
                                  Duration keepWarm) {
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_PLANS_POLL = Duration.ofMillis(1000);
    public static final int DEFAULT_HISTORY_KEEP = 1000;

    public CoordinatorSettings {
        if (plansDir == null) {
            throw new IllegalArgumentException("plansDir is required");
        }
        if (stepTimeout == null || stepTimeout.isNegative() || stepTimeout.isZero()) {
            throw new IllegalArgumentException("step timeout must be positive, not " + stepTimeout);
        }
        plansPoll = plansPoll == null || plansPoll.isNegative() ? Duration.ZERO : plansPoll;
        historyKeep = Math.max(1, historyKeep);
        keepWarm = keepWarm == null || keepWarm.isNegative() ? Duration.ZERO : keepWarm;
    }

    /** Without keep-warm. */
    public CoordinatorSettings(Path plansDir, Duration stepTimeout, Duration plansPoll, int historyKeep) {
        this(plansDir, stepTimeout, plansPoll, historyKeep, Duration.ZERO);
    }

    public static CoordinatorSettings of(Path plansDir) {
        return new CoordinatorSettings(plansDir, DEFAULT_STEP_TIMEOUT, DEFAULT_PLANS_POLL, DEFAULT_HISTORY_KEEP);
    }

    public CoordinatorSettings withStepTimeout(Duration timeout) {
        return new CoordinatorSettings(plansDir, timeout, plansPoll, historyKeep, keepWarm);
    }

    public CoordinatorSettings withPlansPoll(Duration poll) {
        return new CoordinatorSettings(plansDir, stepTimeout, poll, historyKeep, keepWarm);
    }

    public CoordinatorSettings withHistoryKeep(int keep) {
        return new CoordinatorSettings(plansDir, stepTimeout, plansPoll, keep, keepWarm);
    }

    public CoordinatorSettings withKeepWarm(Duration every) {
        return new CoordinatorSettings(plansDir, stepTimeout, plansPoll, historyKeep, every);
    }
}
