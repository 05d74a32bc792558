package net.sessionmigration.api.service;

import net.sessionmigration.api.model.Step;

/**
 * One driver operation on one device during one step: the flight recorder's unit, read by
 * the shell, the timeline picture and the benchmarks.
 */
public record OperationRecord(Step step, String driverType, String device, String operation,
                              long startMicros, long endMicros, String outcome) {
    public long durationMicros() {
        return endMicros - startMicros;
    }
}
