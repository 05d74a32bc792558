package net.sessionmigration.coordinator.run;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.model.Step;

/**
 * A test-only crash point, off by default. With the system property
 * {@value #PAUSE_AFTER_JOURNAL} set to a step (e.g. {@code S704}), every run that reaches that
 * step logs a warning and stops right after the journal holds the step's record and before the
 * step acts, until the JVM is killed (at most {@link #MAX_PAUSE}). The crash tests
 * ({@code lab/tests/crash-test}) set it at run time with Karaf's {@code system:property}, so it
 * never outlives the JVM it was set in, and kill the JVM there. With {@code S708+acted} it stops
 * instead after the step acted (for S708: the switches' SETs are done) and before the journal
 * records anything more: the window a crash between a SET and the journal's next record hits.
 *
 * <p>S702, S703, S704 and S710 are committed to the journal before they act (S705 and S708 too
 * on a cluster's journal); the others are not committed on their own, so a crash there finds the
 * journal as it was after the last commit, exactly as an unplanned crash would.
 */
public final class FaultInjection {
    public static final String PAUSE_AFTER_JOURNAL = "sm.faultInjection.pauseAfterJournal";
    /** Appended to a step, the point after the step acted: {@code S708+acted}. */
    static final String ACTED = "+acted";
    static final Duration MAX_PAUSE = Duration.ofMinutes(30);
    private static final Logger LOG = LoggerFactory.getLogger(FaultInjection.class);

    private FaultInjection() {
    }

    /** Blocks when the property names {@code step}; returns at once otherwise or when interrupted. */
    static void pauseAfterJournal(String migrationId, Step step, boolean committed) {
        if (wanted(step.name())) {
            pause("fault injection: paused after the journal record of " + step + " of migration " + migrationId + " ("
                    + (committed ? "committed before the step acts"
                    : "not committed on its own: the journal holds the last commit") + ")");
        }
    }

    /** Blocks when the property names {@code step+acted}: the step acted, its end is not journalled. */
    static void pauseAfterActing(String migrationId, Step step) {
        if (wanted(step.name() + ACTED)) {
            pause("fault injection: paused after " + step + " of migration " + migrationId
                    + " acted, before the journal records anything more");
        }
    }

    private static boolean wanted(String point) {
        return System.getProperty(PAUSE_AFTER_JOURNAL, "").strip().equalsIgnoreCase(point);
    }

    private static void pause(String message) {
        LOG.warn(message);
        try {
            Thread.sleep(MAX_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the coordinator is stopping: the run halts at its next check
        }
    }
}
