package net.sessionmigration.daemon;

import java.util.logging.Logger;

/**
 * A test-only crash point, off by default. With the system property {@value #PAUSE_AFTER}
 * (e.g. {@code JAVA_TOOL_OPTIONS=-Dsm.daemon.faultInjection.pauseAfter=restore}) the daemon
 * logs a warning and stops inside that operation, after its work and before its answer, until
 * it is killed (at most 30 minutes): {@code lab/tests/crash-test} kills a daemon there, in the
 * middle of a step. Operations: {@code restore} (target side of S704).
 */
final class FaultInjection {
    static final String PAUSE_AFTER = "sm.daemon.faultInjection.pauseAfter";
    private static final Logger LOG = Logger.getLogger("sm-daemon");

    private FaultInjection() {
    }

    static void pauseAfter(String operation, String migrationId) {
        if (!operation.equals(System.getProperty(PAUSE_AFTER, "").strip())) {
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
}
