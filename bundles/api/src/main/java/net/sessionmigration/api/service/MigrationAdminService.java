package net.sessionmigration.api.service;

import java.time.Duration;
import java.util.Optional;

import net.sessionmigration.api.model.Result;

/** Starts, watches, aborts migrations and resets a plan's backup-active flag. */
public interface MigrationAdminService {

    /**
     * S701: validates the request and starts the migration on its own thread. Fails at once
     * (with the reason) when the plan is unknown, invalid, waits for a driver, or already runs.
     *
     * @return the migration id
     */
    Result<String> start(StartRequest request, MigrationListener listener);

    /** Waits until the migration has finished or the timeout passes, and returns its record. */
    Result<MigrationRecord> await(String migrationId, Duration timeout);

    /**
     * Asks a running migration to stop: before the workload resumes at the target it rolls back;
     * after that point it finishes forward (which is the safe end).
     */
    Result<String> abort(String migrationId);

    /** Clears the plan's backup-active flag so that the load rule may fire again. */
    Result<String> resetBackupActive(String plan);

    /** What the trigger rule of that name last remembered, from the journal; empty if nothing was kept. */
    Optional<TriggerMemory> triggerMemory(String rule);

    /** Keeps a trigger rule's memory in the journal (committed before this returns). */
    void rememberTrigger(TriggerMemory memory);

    void addListener(MigrationListener listener);

    void removeListener(MigrationListener listener);
}
