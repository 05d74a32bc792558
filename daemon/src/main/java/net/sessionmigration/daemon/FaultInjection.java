package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * With {@value #STOP_DURING_DUMP}{@code =true} the source sends the workload's root a SIGSTOP
 * once CRIU's dump log shows every connection of the tree in repair mode, as a stray job-control
 * signal would: CRIU then exits at once, without its cleanup, leaving its network lock on those
 * connections and the sockets in repair mode; the rollback must still give every user the
 * running source back.
 * None touches the daemon's own rehearsal at start ({@link Rehearsal#isRehearsal}).
 */
final class FaultInjection {
    static final String PAUSE_AFTER = "sm.daemon.faultInjection.pauseAfter";
    static final String UNLOCK_SOURCE_EARLY = "sm.daemon.faultInjection.unlockSourceEarly";
    static final String STOP_DURING_DUMP = "sm.daemon.faultInjection.stopDuringDump";
    /** The line CRIU's dump log has for each TCP socket it takes into repair mode (sk-tcp.c). */
    private static final String REPAIR_ON = "Turning repair on for socket";
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

    /**
     * Off unless {@value #STOP_DURING_DUMP}: from a thread of its own, watches {@code dumpLog} until
     * CRIU has taken every established connection of the tree into repair mode (and so under its
     * lock), then stops the root.
     */
    static void stopDuringDump(String migrationId, int root, Path dumpLog) throws IOException {
        if (!Boolean.getBoolean(STOP_DURING_DUMP) || Rehearsal.isRehearsal(migrationId)) {
            return;
        }
        int connections = Math.max(1, ConnectionCloser.connections(ProcessTree.tree(root)).size());
        Thread t = new Thread(() -> {
            long end = System.nanoTime() + 10_000_000_000L;
            try {
                while (System.nanoTime() < end) {
                    if (Files.exists(dumpLog) && repairs(Files.readString(dumpLog, StandardCharsets.ISO_8859_1))
                            >= connections) {
                        LibC.INSTANCE.kill(root, LibC.SIGSTOP);
                        LOG.warning("fault injection: SIGSTOP to pid " + root + " once CRIU had all its "
                                + connections + " connection(s) in repair mode, migration " + migrationId);
                        return;
                    }
                    Thread.sleep(0, 100_000);
                }
                LOG.warning("fault injection: the dump of migration " + migrationId + " never reached its sockets");
            } catch (IOException | InterruptedException e) {
                LOG.warning("fault injection: " + e);
            }
        }, "fault-stop-during-dump");
        t.setDaemon(true);
        t.start();
    }

    private static int repairs(String log) {
        int n = 0;
        for (int i = log.indexOf(REPAIR_ON); i >= 0; i = log.indexOf(REPAIR_ON, i + 1)) {
            n++;
        }
        return n;
    }
}
