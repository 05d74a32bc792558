package net.sessionmigration.daemon;

import java.util.logging.Logger;

/**
 * A test-only crash point, off by default. With the system property {@value #PAUSE_AFTER}
 * (e.g. {@code JAVA_TOOL_OPTIONS=-Dsm.daemon.faultInjection.pauseAfter=restore}) the daemon
 * logs a warning and stops inside that operation, after its work and before its answer, until
 * it is killed (at most 30 minutes): {@code lab/tests/crash-test} kills a daemon there, in the
 * middle of a step. Operations: {@code restore} (target side of S704).
 * With {@value #UNLOCK_SOURCE_EARLY}{@code =true} the source lifts CRIU's network lock right
 * after the dump, as {@code --leave-running} did: its kernel then acknowledges the users' bytes
 * that the restored copy never gets, a wedged session for the commit check to catch.
 * Neither touches the daemon's own rehearsal at start ({@link Rehearsal#isRehearsal}).
 */
final class FaultInjection {
    static final String PAUSE_AFTER = "sm.daemon.faultInjection.pauseAfter";
    static final String UNLOCK_SOURCE_EARLY = "sm.daemon.faultInjection.unlockSourceEarly";
    private static final Logger LOG = Logger.getLogger("sm-daemon");

    private FaultInjection() {
    }

    static void pauseAfter(String operation, String migrationId) {
        if (!operation.equals(System.getProperty(PAUSE_AFTER, "").strip()) || Rehearsal.isRehearsal(migrationId)) {
            return;
        }
        LOG.warning("fault injection: paused after " + operation + " of migration " + migrationId
                + " before answering");
        try {
            Thread.sleep(30L * 60 * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean unlockSourceEarly(String migrationId) {
        if (!Boolean.getBoolean(UNLOCK_SOURCE_EARLY) || Rehearsal.isRehearsal(migrationId)) {
            return false;
        }
        LOG.warning("fault injection: network lock lifted right after the dump of migration " + migrationId);
        return true;
    }
}
