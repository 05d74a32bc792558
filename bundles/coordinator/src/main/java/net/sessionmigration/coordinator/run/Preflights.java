package net.sessionmigration.coordinator.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.UserSideProbe;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.coordinator.DriverRegistry;

/**
 * Every driver's preflight for one plan in one mode, asked at once: the workload mover's (both
 * servers, the workload, its expected freeze), each switch driver's for its users' ports (device
 * reachable, credentials accepted, every port on its {@code fromVlan}), and the user-side
 * probe's. S702 and dry-run ask exactly these questions, so a plan that dry-run calls NO-GO does
 * not start; both hold the estimate to the plan's freeze budget ({@code workload.maxFreezeMs}).
 */
public final class Preflights {
    private static final Logger LOG = LoggerFactory.getLogger(Preflights.class);

    /** One preflight call: dry-run makes it directly, a migration through its flight recorder. */
    @FunctionalInterface
    public interface Caller {
        Result<Preflight> call(String driverType, String device, Supplier<Result<Preflight>> preflight);
    }

    /**
     * @param freezeWindow estimated from freeze (S703) to resume (S710): every driver's expected duration summed
     * @param userBlackout estimated while {@code v} is unreachable for a user (S705 to S708): the switch drivers' part
     */
    public record Outcome(List<Problem> problems, List<String> notes, Duration freezeWindow, Duration userBlackout) {
        public Outcome {
            problems = List.copyOf(problems.stream().distinct().toList());
            notes = List.copyOf(notes);
        }
    }

    /** What one driver answered, in the form the outcome collects. */
    private record Answer(List<Problem> problems, List<String> notes, Duration expected, boolean switches) {
        static Answer problem(Problem p) {
            return new Answer(List.of(p), List.of(), Duration.ZERO, false);
        }

        static Answer note(String note) {
            return new Answer(List.of(), List.of(note), Duration.ZERO, false);
        }
    }

    private Preflights() {
    }

    /** Recent migrations of a plan whose estimate and actual freeze the journal kept, for the calibration. */
    static final int CALIBRATION_SAMPLES = 10;
    /** How far back in the journal (all plans) dry-run and S702 look for them. */
    public static final int CALIBRATION_LOOKBACK = 200;

    /**
     * @param history the journal's recent migrations: the freeze the drivers do not see (the
     *                coordinator's steps, the commit's checks, the calls between) is learned from
     *                the last migrations of this plan, as the median of actual − estimated
     */
    public static Outcome ask(DriverRegistry drivers, DriverCalls calls, MigrationPlan plan, MigrationMode mode,
                              String migrationId, List<MigrationRecord> history, Caller caller) {
        String moverType = plan.workload().driverType();
        Optional<WorkloadMover> mover = drivers.mover(moverType);
        Optional<MoverCapabilities> caps = mover.flatMap(Preflights::capabilities);
        List<Supplier<Answer>> questions = new ArrayList<>();
        questions.add(() -> mover.isEmpty() ? Answer.problem(notInstalled(moverType))
                : answer(moverType, false, caller.call(moverType, plan.workload().source(),
                        () -> mover.get().preflight(MigrationRun.task(migrationId, plan, mode)))));
        for (Map.Entry<String, List<PortMove>> g : MigrationRun.switchGroups(plan, mode).entrySet()) {
            Optional<AccessPortSwitcher> sw = drivers.switcher(g.getKey());
            questions.add(() -> sw.isEmpty() ? Answer.problem(notInstalled(g.getKey()))
                    : answer(g.getKey(), true, caller.call(g.getKey(), MigrationRun.devices(g.getValue()),
                            () -> sw.get().preflight(g.getValue()))));
        }
        questions.add(() -> probe(drivers, plan, caps, migrationId, caller));

        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        notes.add(mode + ": " + plan.usersToSwitch(mode).size() + " of " + plan.users().size()
                + " user(s) switch; freeze " + (plan.workload().freeze() ? "yes" : "no")
                + "; virtual IP moved by the driver " + (plan.workload().moveVirtualIp() ? "yes" : "no"));
        Duration freeze = Duration.ZERO;
        Duration blackout = Duration.ZERO;
        for (Answer a : calls.inParallel(questions)) {
            problems.addAll(a.problems());
            notes.addAll(a.notes());
            freeze = freeze.plus(a.expected());
            blackout = a.switches() ? blackout.plus(a.expected()) : blackout;
        }
        Calibration cal = calibration(history, plan.name());
        if (cal.samples() > 0) {
            notes.add("freeze estimate: drivers " + freeze.toMillis() + " ms " + (cal.extra().isNegative() ? "" : "+")
                    + cal.extra().toMillis() + " ms, what the last " + cal.samples() + " migration(s) of this plan took"
                    + " beyond their drivers' estimate (median)");
            freeze = freeze.plus(cal.extra()).isNegative() ? Duration.ZERO : freeze.plus(cal.extra());
        }
        Optional<String> noCheck = SessionCheckPolicy.whyNot(plan, mover.isPresent() ? caps : Optional.empty());
        notes.add(noCheck.map(w -> "session check: will not run: " + w)
                .orElse("session check: will run after S708, before resume: " + SessionCheckPolicy.DESCRIPTION));
        Optional<Duration> budget = plan.workload().maxFreeze();
        if (budget.isPresent() && freeze.compareTo(budget.get()) > 0) {
            problems.add(new Problem("coordinator", "estimated freeze window " + freeze.toMillis()
                    + " ms is over the plan's budget workload.maxFreezeMs " + budget.get().toMillis() + " ms"));
        } else if (budget.isPresent()) {
            notes.add("freeze budget: estimated " + freeze.toMillis() + " ms of workload.maxFreezeMs "
                    + budget.get().toMillis() + " ms");
        }
        return new Outcome(problems, notes, freeze, blackout);
    }

    /** What the drivers' estimates missed lately: the median of actual − estimated freeze, and of how many. */
    record Calibration(Duration extra, int samples) {
    }

    static Calibration calibration(List<MigrationRecord> history, String plan) {
        long[] missed = history.stream()
                .filter(r -> r.plan().equals(plan) && r.state() == MigrationState.SUCCEEDED && r.expectedFreezeMicros() > 0
                        && r.actualFreezeMicros().isPresent())
                .limit(CALIBRATION_SAMPLES)
                .mapToLong(r -> r.actualFreezeMicros().getAsLong() - r.expectedFreezeMicros()).sorted().toArray();
        return missed.length == 0 ? new Calibration(Duration.ZERO, 0)
                : new Calibration(Duration.ofNanos(missed[missed.length / 2] * 1000), missed.length);
    }

    /** Whether the user-side probe will run after S708 and, if so, its driver's preflight. */
    private static Answer probe(DriverRegistry drivers, MigrationPlan plan, Optional<MoverCapabilities> caps,
                                String migrationId, Caller caller) {
        if (plan.probe().isEmpty()) {
            return Answer.note("probe: none (the plan names no probe host; the switch is not verified from the user side)");
        }
        UserSideProbe spec = plan.probe().get();
        Optional<String> whyNot = CommitProbe.whyNot(plan, caps);
        if (whyNot.isPresent()) {
            return Answer.note("probe: will not run: " + whyNot.get());
        }
        Optional<ReachabilityProbe> probe = drivers.probe(spec.driverType());
        if (probe.isEmpty()) {
            return Answer.problem(new Problem(spec.host(), "user-side probe cannot run: "
                    + MigrationRun.notInstalled(spec.driverType())));
        }
        ProbeTask task = new ProbeTask(migrationId, spec.host(), plan.virtualIp(), spec.port(), spec.timeout());
        Answer a = answer(spec.driverType(), false, caller.call(spec.driverType(), spec.host(),
                () -> probe.get().preflight(task)));
        List<String> notes = new ArrayList<>();
        notes.add("probe: will run after S708, before resume: " + CommitProbe.describe(plan, spec));
        notes.addAll(a.notes());
        return new Answer(a.problems(), notes, a.expected(), false);
    }

    private static Answer answer(String driverType, boolean switches, Result<Preflight> r) {
        if (r instanceof Result.Failed<Preflight> f) {
            return new Answer(List.of(f.problem()), List.of(), Duration.ZERO, switches);
        }
        Preflight p = r.orElseThrow();
        return new Answer(p.problems(), p.notes().stream().map(n -> driverType + ": " + n).toList(),
                p.expectedDuration(), switches);
    }

    private static Problem notInstalled(String driverType) {
        return new Problem("coordinator", MigrationRun.notInstalled(driverType));
    }

    /** The mover's capabilities; empty when it cannot tell (then the probe and the session check are planned). */
    static Optional<MoverCapabilities> capabilities(WorkloadMover mover) {
        try {
            return Optional.ofNullable(mover.capabilities());
        } catch (RuntimeException e) {
            LOG.warn("driver {} cannot report its capabilities: {}", mover.getClass().getName(), e.toString());
            return Optional.empty();
        }
    }
}
