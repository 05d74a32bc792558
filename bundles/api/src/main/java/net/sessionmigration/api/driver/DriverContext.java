package net.sessionmigration.api.driver;

import java.time.Instant;
import java.util.Optional;

/**
 * Handed to a driver by the coordinator for one operation of one migration: where the
 * driver reports progress (shown live in the shell) and its own device operations (kept in
 * the flight recorder, e.g. one SNMP SET per switch).
 */
public interface DriverContext {

    String migrationId();

    /** A progress line for the operator, e.g. "copied 64 of 128 MB". */
    void progress(String message);

    /** One operation on one device, with its own start and end and its outcome in words. */
    void operation(String device, String operation, Instant start, Instant end, String outcome);

    /**
     * The epoch of the coordinator that calls: 0 for a coordinator alone; in a cluster, the leader's,
     * higher than every earlier leader's. A driver passes it to daemons and devices that can refuse a
     * lower one, so that a deposed leader that wakes up cannot act.
     */
    default long epoch() {
        return 0;
    }

    /**
     * Empty while the caller may still change devices; otherwise why not (a cluster leader that lost
     * its leadership, a coordinator that stops). A driver asks right before each change on a device
     * (each SET, each changing request) and, when told why not, sends nothing more and fails the call
     * with that reason. Cheap: it reads the coordinator's own state.
     */
    default Optional<String> fenced() {
        return Optional.empty();
    }

    /** A context that drops everything, for callers outside a migration (preflight, tools). */
    static DriverContext detached(String id) {
        return new DriverContext() {
            @Override
            public String migrationId() {
                return id;
            }

            @Override
            public void progress(String message) {
            }

            @Override
            public void operation(String device, String operation, Instant start, Instant end, String outcome) {
            }
        };
    }
}
