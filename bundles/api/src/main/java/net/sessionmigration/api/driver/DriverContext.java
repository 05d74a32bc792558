package net.sessionmigration.api.driver;

import java.time.Instant;

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
