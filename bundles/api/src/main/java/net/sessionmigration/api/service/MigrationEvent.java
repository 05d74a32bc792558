package net.sessionmigration.api.service;

import net.sessionmigration.api.model.Step;

/**
 * A live event of a running migration, for progress displays.
 *
 * @param step           the step concerned; null only for {@link Kind#FINISHED}
 * @param elapsedMicros  since S701
 */
public record MigrationEvent(String migrationId, String plan, Kind kind, Step step, long elapsedMicros,
                             String message) {
    public enum Kind { STEP_STARTED, STEP_DONE, STEP_SKIPPED, STEP_FAILED, PROGRESS, ROLLBACK, FINISHED }
}
