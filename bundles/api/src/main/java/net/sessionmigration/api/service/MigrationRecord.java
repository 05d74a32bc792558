package net.sessionmigration.api.service;

import java.util.List;
import java.util.Optional;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Problem;

/**
 * The flight record of one session migration: what started it, every step and driver
 * operation with timestamps, how it ended and why.
 */
public record MigrationRecord(String id, String plan, MigrationMode mode, String trigger, MigrationState state,
                              long startMicros, long endMicros, List<StepRecord> steps,
                              List<OperationRecord> operations, Optional<Problem> failure, List<String> notes) {
    public MigrationRecord {
        steps = List.copyOf(steps);
        operations = List.copyOf(operations);
        notes = List.copyOf(notes);
    }

    public long durationMicros() {
        return endMicros == 0 ? 0 : endMicros - startMicros;
    }
}
