package net.sessionmigration.coordinator.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.UserSideProbe;
import net.sessionmigration.api.model.VlanId;
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

    /** One driver call (a preflight, a read): dry-run makes it directly, a migration through its flight recorder. */
    @FunctionalInterface
    public interface Caller {
        <T> Result<T> call(String driverType, String device, String operation, Supplier<Result<T>> op);
    }

    /**
     * @param freezeWindow estimated from freeze (S703) to resume (S710): every driver's expected duration summed
     * @param userBlackout estimated while {@code v} is unreachable for a user (S705 to S708): the switch drivers' part
     * @param portsTaken   the moves to make, by driver type, each from the VLAN its port is on (with
     *                     {@code portsFromAnyVlan}, as read now; otherwise the plan's {@code fromVlan})
     */
    public record Outcome(List<Problem> problems, List<String> notes, Duration freezeWindow, Duration userBlackout,
                          Map<String, List<PortMove>> portsTaken) {
        public Outcome {
            problems = List.copyOf(problems.stream().distinct().toList());
            notes = List.copyOf(notes);
            portsTaken = Collections.unmodifiableMap(new TreeMap<>(portsTaken));
        }
    }

    /** What one driver answered, in the form the outcome collects; a switch driver's with its group's moves. */
    private record Answer(List<Problem> problems, List<String> notes, Duration expected,
                          Optional<String> switchType, List<PortMove> moves) {
        static Answer problem(Problem p) {
            return new Answer(List.of(p), List.of(), Duration.ZERO, Optional.empty(), List.of());
        }

        static Answer note(String note) {
            return new Answer(List.of(), List.of(note), Duration.ZERO, Optional.empty(), List.of());
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
                : answer(moverType, caller.call(moverType, plan.workload().source(), "preflight",
                        () -> mover.get().preflight(MigrationRun.task(migrationId, plan, mode)))));
        for (Map.Entry<String, List<PortMove>> g : MigrationRun.switchGroups(plan, mode).entrySet()) {
            Optional<AccessPortSwitcher> sw = drivers.switcher(g.getKey());
            questions.add(() -> sw.isEmpty() ? Answer.problem(notInstalled(g.getKey()))
                    : switches(g.getKey(), sw.get(), g.getValue(), plan.portsFromAnyVlan(), caller));
        }
        questions.add(() -> probe(drivers, plan, caps, migrationId, caller));

        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        notes.add(mode + ": " + plan.usersToSwitch(mode).size() + " of " + plan.users().size()
                + " user(s) switch; freeze " + (plan.workload().freeze() ? "yes" : "no")
                + "; virtual IP moved by the driver " + (plan.workload().moveVirtualIp() ? "yes" : "no"));
        Duration freeze = Duration.ZERO;
        Duration blackout = Duration.ZERO;
        Map<String, List<PortMove>> taken = new TreeMap<>();
        for (Answer a : calls.inParallel(questions)) {
            problems.addAll(a.problems());
            notes.addAll(a.notes());
            freeze = freeze.plus(a.expected());
            blackout = a.switchType().isPresent() ? blackout.plus(a.expected()) : blackout;
            a.switchType().ifPresent(t -> taken.put(t, a.moves()));
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
                .orElse("session check: will run in S708 "
                        + (SessionCheckPolicy.besideTheMoves(mode, plan.workload().moveVirtualIp())
                        ? "beside" : "after") + " the port moves, before resume: " + SessionCheckPolicy.DESCRIPTION));
        Optional<Duration> budget = plan.workload().maxFreeze();
        if (budget.isPresent() && freeze.compareTo(budget.get()) > 0) {
            problems.add(new Problem("coordinator", "estimated freeze window " + freeze.toMillis()
                    + " ms is over the plan's budget workload.maxFreezeMs " + budget.get().toMillis() + " ms"));
        } else if (budget.isPresent()) {
            notes.add("freeze budget: estimated " + freeze.toMillis() + " ms of workload.maxFreezeMs "
                    + budget.get().toMillis() + " ms");
        }
        return new Outcome(problems, notes, freeze, blackout, taken);
    }

    /**
     * One switch driver's preflight for its group. With {@code anyVlan} the ports are read first
     * and each move starts from the VLAN its port is on; the preflight then checks those.
     */
    private static Answer switches(String type, AccessPortSwitcher sw, List<PortMove> planned, boolean anyVlan,
                                   Caller caller) {
        String devices = MigrationRun.devices(planned);
        List<PortMove> moves = planned;
        List<String> notes = new ArrayList<>();
        if (anyVlan) {
            Result<Map<AccessPort, VlanId>> read = caller.call(type, devices, "read-vlans",
                    () -> sw.readVlans(planned.stream().map(PortMove::port).toList()));
            if (read instanceof Result.Failed<Map<AccessPort, VlanId>> f) {
                return Answer.problem(f.problem());
            }
            Map<AccessPort, VlanId> now = read.orElseThrow();
            List<PortMove> unread = planned.stream().filter(m -> now.get(m.port()) == null).toList();
            if (!unread.isEmpty()) {
                return Answer.problem(new Problem(devices, "driver " + type + " did not report the VLAN of port(s) "
                        + unread.stream().map(m -> m.port().toString()).toList()));
            }
            moves = planned.stream().map(m -> new PortMove(m.user(), m.port(), now.get(m.port()), m.to())).toList();
            planned.stream().filter(m -> !now.get(m.port()).equals(m.from())).forEach(m -> notes.add("port " + m.port()
                    + " of user " + m.user() + " is on VLAN " + now.get(m.port()) + ", not the plan's fromVlan " + m.from()
                    + ": taken anyway (portsFromAnyVlan); a rollback puts it back on VLAN " + now.get(m.port())));
        }
        List<PortMove> checked = moves;
        Answer a = answer(type, caller.call(type, devices, "preflight", () -> sw.preflight(checked)));
        notes.addAll(0, a.notes());
        return new Answer(a.problems(), notes, a.expected(), Optional.of(type), checked);
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
        Answer a = answer(spec.driverType(), caller.call(spec.driverType(), spec.host(), "preflight",
                () -> probe.get().preflight(task)));
        List<String> notes = new ArrayList<>();
        notes.add("probe: will run after S708, before resume: " + CommitProbe.describe(plan, spec));
        notes.addAll(a.notes());
        return new Answer(a.problems(), notes, a.expected(), Optional.empty(), List.of());
    }

    private static Answer answer(String driverType, Result<Preflight> r) {
        if (r instanceof Result.Failed<Preflight> f) {
            return Answer.problem(f.problem());
        }
        Preflight p = r.orElseThrow();
        return new Answer(p.problems(), p.notes().stream().map(n -> driverType + ": " + n).toList(),
                p.expectedDuration(), Optional.empty(), List.of());
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
