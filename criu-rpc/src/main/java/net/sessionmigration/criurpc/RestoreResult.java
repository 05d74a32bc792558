package net.sessionmigration.criurpc;

import java.time.Duration;
import java.util.List;

/**
 * A successful restore: the restored root's pid (CRIU restores the original pids), the notify
 * scripts CRIU ran in order, the time from spawning the worker to its answer, CRIU's restore
 * statistics (null if absent), and a notify callback's failure that did not abort the restore
 * (pre-resume, post-resume and network-unlock are only logged by CRIU), or null.
 */
public record RestoreResult(int pid, List<String> notifications, Duration elapsed, CriuStats.Restore stats,
        Throwable notifyFailure) {
}
