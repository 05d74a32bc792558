package net.sessionmigration.coordinator.run;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;

/**
 * The growing record of one migration. Drivers may report operations from their own threads,
 * hence the synchronisation; {@link #snapshot} gives the immutable record that is journalled.
 */
public final class FlightRecorder {
    private final String id;
    private final String plan;
    private final MigrationMode mode;
    private final String trigger;
    private final long startMicros;
    private final Map<Step, StepRecord> steps = new EnumMap<>(Step.class);
    private final List<OperationRecord> operations = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private MigrationState state = MigrationState.RUNNING;
    private long endMicros;
    private Problem failure;
    private long expectedFreezeMicros;

    public FlightRecorder(String id, String plan, MigrationMode mode, String trigger, long startMicros) {
        this.id = id;
        this.plan = plan;
        this.mode = mode;
        this.trigger = trigger;
        this.startMicros = startMicros;
    }

    /** Continues a journalled record after a restart. */
    public static FlightRecorder resume(MigrationRecord r) {
        FlightRecorder f = new FlightRecorder(r.id(), r.plan(), r.mode(), r.trigger(), r.startMicros());
        r.steps().forEach(s -> f.steps.put(s.step(), s));
        f.operations.addAll(r.operations());
        f.notes.addAll(r.notes());
        f.state = r.state();
        f.failure = r.failure().orElse(null);
        f.expectedFreezeMicros = r.expectedFreezeMicros();
        return f;
    }

    public String id() {
        return id;
    }

    public String plan() {
        return plan;
    }

    public MigrationMode mode() {
        return mode;
    }

    public long startMicros() {
        return startMicros;
    }

    public synchronized void stepStarted(Step step, long micros) {
        steps.put(step, new StepRecord(step, micros, 0, StepOutcome.IN_PROGRESS, ""));
    }

    public synchronized void stepEnded(Step step, StepOutcome outcome, String detail, long micros) {
        StepRecord s = steps.get(step);
        long start = s == null ? micros : s.startMicros();
        steps.put(step, new StepRecord(step, start, micros, outcome, detail));
    }

    /** Marks what a successful rollback undid. */
    public synchronized void markUndone() {
        steps.replaceAll((step, r) -> r.outcome() == StepOutcome.DONE && step != Step.S701
                ? new StepRecord(step, r.startMicros(), r.endMicros(), StepOutcome.UNDONE, r.detail())
                : r);
    }

    public synchronized Optional<StepRecord> step(Step step) {
        return Optional.ofNullable(steps.get(step));
    }

    /** The latest step that began (in progress, done or failed; not skipped). */
    public synchronized Step reached() {
        Step reached = Step.S701;
        for (StepRecord s : steps.values()) {
            if (s.outcome() != StepOutcome.SKIPPED) {
                reached = s.step();
            }
        }
        return reached;
    }

    public synchronized void operation(OperationRecord op) {
        operations.add(op);
    }

    public synchronized void note(String note) {
        notes.add(note);
    }

    public synchronized void state(MigrationState state) {
        this.state = state;
    }

    public synchronized MigrationState state() {
        return state;
    }

    public synchronized void failure(Problem problem) {
        this.failure = problem;
    }

    /** The freeze window S702's preflights estimated, kept beside the actual one. */
    public synchronized void expectedFreeze(long micros) {
        this.expectedFreezeMicros = micros;
    }

    public synchronized void finish(MigrationState finalState, long micros) {
        this.state = finalState;
        this.endMicros = micros;
    }

    public synchronized MigrationRecord snapshot() {
        return new MigrationRecord(id, plan, mode, trigger, state, startMicros, endMicros,
                List.copyOf(steps.values()), operations, Optional.ofNullable(failure), notes,
                expectedFreezeMicros);
    }
}
