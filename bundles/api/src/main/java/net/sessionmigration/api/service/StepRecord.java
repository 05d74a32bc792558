package net.sessionmigration.api.service;

import net.sessionmigration.api.model.Step;

/** One step of one migration with microsecond timestamps (epoch micros; end 0 while running). */
public record StepRecord(Step step, long startMicros, long endMicros, StepOutcome outcome, String detail) {
    public long durationMicros() {
        return endMicros == 0 ? 0 : endMicros - startMicros;
    }
}
