package net.sessionmigration.api.service;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Step;

/**
 * The flight record of one session migration: what started it, every step and driver
 * operation with timestamps, how it ended and why.
 *
 * @param expectedFreezeMicros the freeze window the drivers' preflights estimated at S702 (0: none yet)
 */
public record MigrationRecord(String id, String plan, MigrationMode mode, String trigger, MigrationState state,
                              long startMicros, long endMicros, List<StepRecord> steps,
                              List<OperationRecord> operations, Optional<Problem> failure, List<String> notes,
                              long expectedFreezeMicros) {
    public MigrationRecord {
        steps = List.copyOf(steps);
        operations = List.copyOf(operations);
        notes = List.copyOf(notes);
    }

    /** A record without an estimate. */
    public MigrationRecord(String id, String plan, MigrationMode mode, String trigger, MigrationState state,
                           long startMicros, long endMicros, List<StepRecord> steps,
                           List<OperationRecord> operations, Optional<Problem> failure, List<String> notes) {
        this(id, plan, mode, trigger, state, startMicros, endMicros, steps, operations, failure, notes, 0);
    }

    /**
     * The window the workload was frozen in, from the start of S703 to the end of S710, once both
     * happened: an upper bound, since a mover may stop it later (CRIU's dump and QEMU's last pass
     * do, inside S704). The dry-run's estimate is calibrated against it, so it errs long.
     */
    public OptionalLong actualFreezeMicros() {
        Optional<StepRecord> freeze = step(Step.S703).filter(s -> s.outcome() == StepOutcome.DONE);
        Optional<StepRecord> resume = step(Step.S710).filter(s -> s.outcome() == StepOutcome.DONE);
        return freeze.isPresent() && resume.isPresent()
                ? OptionalLong.of(resume.get().endMicros() - freeze.get().startMicros()) : OptionalLong.empty();
    }

    public Optional<StepRecord> step(Step step) {
        return steps.stream().filter(s -> s.step() == step).findFirst();
    }

    public long durationMicros() {
        return endMicros == 0 ? 0 : endMicros - startMicros;
    }
}
