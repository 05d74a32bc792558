package net.sessionmigration.coordinator.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.UserAttachment;
import net.sessionmigration.api.model.UserSideProbe;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationEvent.Kind;
import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;
import net.sessionmigration.coordinator.journal.JournalClosedException;
import net.sessionmigration.coordinator.journal.PortsTaken;

/**
 * One session migration through S702-S711 (S701 is taken by the coordinator before this run
 * starts), its rollback, and its recovery after a restart. Every step is journalled as begun
 * before its driver call and as ended after it, so the journal always tells how far it got.
 */
public final class MigrationRun implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationRun.class);

    /** What an abort request turns into. */
    public enum AbortAnswer { ROLLING_BACK, FINISHING_FORWARD, NOT_RUNNING }

    /** Steps committed to the journal as begun before they act. */
    private static final Set<Step> COMMITTED_BEFORE = EnumSet.of(Step.S702, Step.S703, Step.S704, Step.S710);

    /**
     * The steps that act outside the coordinator between S704's commit and S710's, inside the
     * users' freeze: no commit of their own (each is an fsync in every user's gap), S704's commit
     * stands for them. A recovery that finds S704 as the last step begun, or S705–S707, takes them
     * as possibly taken ({@link #possiblyTaken}). On a journal whose commits fence a deposed leader
     * (a cluster's) they are committed anyway: there the commit is the fence.
     */
    private static final Set<Step> COVERED_BY_S704 = EnumSet.of(Step.S705, Step.S708);

    /** A failed rollback call is retried this often, for up to the step timeout. */
    private static final Duration ROLLBACK_RETRY_EVERY = Duration.ofSeconds(2);

    private final RunEnvironment env;
    private final MigrationPlan plan;
    private final MigrationMode mode;
    private final WorkloadTask task;
    private final FlightRecorder rec;
    private final MigrationListener listener;
    private final boolean recovering;
    private final Consumer<MigrationRun> onExit;
    /**
     * Users to switch, by the driver type of their device; sorted so that runs are repeatable.
     * The plan's until S702 has read and journalled the ports ({@link PortsTaken}); then those.
     */
    private volatile Map<String, List<PortMove>> switchGroups;
    private final Set<String> switchBegun = new LinkedHashSet<>();
    private final CompletableFuture<MigrationRecord> finished = new CompletableFuture<>();

    private boolean abortRequested;
    private boolean pastPointOfNoReturn;
    private volatile Step currentStep = Step.S701;
    private volatile Thread thread;

    private MigrationRun(RunEnvironment env, MigrationPlan plan, FlightRecorder rec, MigrationListener listener,
                         boolean recovering, Consumer<MigrationRun> onExit) {
        this.env = env;
        this.plan = plan;
        this.mode = rec.mode();
        this.rec = rec;
        this.listener = listener;
        this.recovering = recovering;
        this.onExit = onExit;
        this.task = task(rec.id(), plan, mode);
        // a recovered migration puts back the ports its S702 took, from the VLANs they were really on
        this.switchGroups = env.journal().portsTaken(rec.id()).map(PortsTaken::byDriverType)
                .orElseGet(() -> switchGroups(plan, mode));
    }

    /** What the workload mover is told about this migration. */
    public static WorkloadTask task(String migrationId, MigrationPlan plan, MigrationMode mode) {
        return new WorkloadTask(migrationId, plan.workload().name(), plan.sourceServer(), plan.targetServer(),
                plan.virtualIp(), mode, plan.workload().freeze(), plan.workload().moveVirtualIp(),
                plan.workload().options());
    }

    /** The users to switch in this mode, by the driver type of their device, driver types sorted. */
    public static Map<String, List<PortMove>> switchGroups(MigrationPlan plan, MigrationMode mode) {
        Map<String, List<PortMove>> groups = new TreeMap<>();
        for (UserAttachment u : plan.usersToSwitch(mode)) {
            String type = plan.devices().get(u.port().device()).driverType();
            groups.computeIfAbsent(type, t -> new ArrayList<>()).add(u.move());
        }
        groups.replaceAll((t, moves) -> List.copyOf(moves));
        return Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /** A new migration whose S701 is already journalled. */
    public static MigrationRun start(RunEnvironment env, MigrationPlan plan, FlightRecorder rec,
                                     MigrationListener listener, Consumer<MigrationRun> onExit) {
        return new MigrationRun(env, plan, rec, listener, false, onExit);
    }

    /** An unfinished migration found in the journal at start-up, to be driven to a safe end. */
    public static MigrationRun recover(RunEnvironment env, MigrationPlan plan, FlightRecorder rec,
                                       Consumer<MigrationRun> onExit) {
        return new MigrationRun(env, plan, rec, e -> { }, true, onExit);
    }

    public String id() {
        return rec.id();
    }

    public String planName() {
        return plan.name();
    }

    public MigrationRecord snapshot() {
        return rec.snapshot();
    }

    public CompletableFuture<MigrationRecord> finished() {
        return finished;
    }

    /** Honoured at the next step boundary up to S709; from S709 on the safe end is forward. */
    public synchronized AbortAnswer requestAbort() {
        if (finished.isDone()) {
            return AbortAnswer.NOT_RUNNING;
        }
        if (pastPointOfNoReturn) {
            return AbortAnswer.FINISHING_FORWARD;
        }
        abortRequested = true;
        return AbortAnswer.ROLLING_BACK;
    }

    /** The coordinator is stopping: wake the run from a driver call so that it stops where it is. */
    public void halt() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            if (recovering) {
                recover();
            } else {
                forwardFrom(Step.S702);
            }
        } catch (RunHalted | JournalClosedException e) {
            LOG.warn("migration {} plan {} stopped at {}: this coordinator is stopping or no longer leads; "
                    + "its next start, or the cluster's next leader, recovers it", id(), plan.name(), currentStep);
        } catch (RuntimeException e) {
            LOG.error("migration {} plan {}: unexpected error at {}", id(), plan.name(), currentStep, e);
            try {
                rollback(new Problem("coordinator", "internal error at " + currentStep + ": " + e));
            } catch (RuntimeException again) {
                LOG.error("migration {}: rollback after an internal error failed too", id(), again);
            }
        } finally {
            thread = null;
            Thread.interrupted();
            onExit.accept(this); // first, so that an awaiting caller finds the plan free again
            finished.complete(rec.snapshot());
        }
    }

    // ---- the sequence ----

    private void forwardFrom(Step first) {
        for (Step s : Step.values()) {
            if (s.compareTo(first) < 0 || s == Step.S701) {
                continue;
            }
            halted();
            boolean abort;
            synchronized (this) {
                abort = abortRequested && s.compareTo(Step.S709) <= 0;
                if (!abort && s.compareTo(Step.S709) >= 0) {
                    pastPointOfNoReturn = true;
                }
            }
            if (abort) {
                rollback(new Problem("operator", "aborted by the operator before " + s));
                return;
            }
            Optional<Problem> failed = take(s);
            if (failed.isPresent()) {
                rollback(failed.get());
                return;
            }
        }
        succeed();
    }

    private Optional<Problem> take(Step s) {
        boolean freeze = task.freeze();
        return switch (s) {
            case S701 -> Optional.empty();
            case S702 -> step(s, this::sendStart);
            case S703 -> freeze
                    ? step(s, () -> moverOp(s, "freeze", task.source().name(), (m, c) -> m.freeze(task, c)))
                    : skip(s, "the plan does not freeze the workload");
            case S704 -> step(s, () -> moverOp(s, "migrate", task.target().name(), (m, c) -> m.migrate(task, c)));
            case S705 -> task.moveVirtualIp()
                    ? step(s, () -> moverOp(s, "move-virtual-ip", task.source().name(),
                            (m, c) -> m.moveVirtualIp(task, c)))
                    : skip(s, "the plan does not move the virtual IP (it travels inside the workload)");
            case S706 -> step(s, () -> Result.ok("workload " + task.workload() + " is at " + task.target().name()));
            case S707 -> step(s, this::requestSwitch);
            case S708 -> step(s, this::switchPortsAndProbe);
            case S709 -> freeze
                    ? step(s, () -> Result.ok("resume sent for " + task.workload()))
                    : skip(s, "the workload was not frozen");
            case S710 -> step(s, this::resumeAndAnnounce);
            case S711 -> step(s, this::reportResumed);
        };
    }

    /**
     * S702: every driver's preflight, as dry-run asks them (daemons answer, the workload is found,
     * the target is ready, the switches answer and each user's port is on its fromVlan, the probe
     * host answers, the estimate fits the plan's freeze budget). Only questions: nothing to undo.
     * The probe driver's connection is then warm when the probe runs inside the freeze window.
     */
    private Result<String> sendStart() {
        Preflights.Outcome o = Preflights.ask(env.drivers(), env.calls(), plan, mode, id(),
                env.journal().history(Preflights.CALIBRATION_LOOKBACK), this::preflightCall);
        if (!o.problems().isEmpty()) {
            o.problems().stream().skip(1).forEach(p -> rec.note("S702 also found: " + p));
            return Result.failed(o.problems().get(0));
        }
        halted();
        env.journal().savePortsTaken(id(), new PortsTaken(o.portsTaken())); // before anything moves
        switchGroups = o.portsTaken();
        rec.expectedFreeze(o.freezeWindow().toNanos() / 1000);
        return Result.ok("every driver's preflight is GO; estimated freeze window " + o.freezeWindow().toMillis()
                + " ms (" + String.join("; ", o.notes()) + ")");
    }

    private <T> Result<T> preflightCall(String driverType, String device, String operation, Supplier<Result<T>> op) {
        return call(Step.S702, driverType, device, operation, c -> op.get());
    }

    private Result<String> requestSwitch() {
        Optional<Problem> missing = switchersMissing();
        if (missing.isPresent()) {
            return Result.failed(missing.get());
        }
        int users = switchGroups.values().stream().mapToInt(List::size).sum();
        return Result.ok(users + " user(s) to switch via " + String.join(", ", switchGroups.keySet()));
    }

    /** The switch driver types of this migration's users that are not installed (S707 asks, S708 again). */
    private Optional<Problem> switchersMissing() {
        List<String> missing = switchGroups.keySet().stream()
                .filter(t -> env.drivers().switcher(t).isEmpty()).map(MigrationRun::notInstalled).toList();
        return missing.isEmpty() ? Optional.empty() : Optional.of(new Problem("coordinator", String.join("; ", missing)));
    }

    /** S708's moves: the groups of different driver types at once, so their times do not add up. */
    private Result<String> switchPorts() {
        Optional<Problem> missing = switchersMissing();
        if (missing.isPresent()) {
            return Result.failed(missing.get());
        }
        synchronized (switchBegun) {
            switchBegun.addAll(switchGroups.keySet()); // before any move: a rollback restores every group
        }
        List<Supplier<Result<OpReport>>> moves = new ArrayList<>();
        switchGroups.forEach((type, group) -> moves.add(() -> call(Step.S708, type, devices(group), "move",
                c -> env.drivers().switcher(type).map(sw -> sw.move(group, c))
                        .orElseGet(() -> Result.failed("coordinator", notInstalled(type))))));
        List<Result<OpReport>> results = env.calls().inParallel(moves);
        List<String> done = new ArrayList<>();
        List<String> types = List.copyOf(switchGroups.keySet());
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof Result.Failed<OpReport> f) {
                return Result.failed(f.problem());
            }
            done.add(switchGroups.get(types.get(i)).size() + " port(s) via " + types.get(i));
        }
        return Result.ok(String.join("; ", done));
    }

    /**
     * S708 is done only when the ports moved, where possible the user side reaches v at the new
     * site, and the mover's session check passed (nothing runs at the target yet, so a failure
     * rolls back with every session intact). Everything here is inside the users' freeze, so what
     * does not wait for another runs beside it: the session check beside the moves once v has
     * left the source ({@link SessionCheckPolicy#besideTheMoves}), else after them beside the
     * probe, which needs the moved ports. The first failure in that order (moves, check beside
     * them; probe, check after them) ends S708; one beside the moves ends it before the probe runs.
     */
    private Result<String> switchPortsAndProbe() {
        boolean beside = SessionCheckPolicy.besideTheMoves(mode, task.moveVirtualIp());
        List<Supplier<Result<String>>> first = new ArrayList<>(List.of(this::switchPorts));
        List<Supplier<Result<String>>> then = new ArrayList<>();
        if (plan.probe().isPresent()) {
            then.add(this::probeFromUserSide);
        }
        (beside ? first : then).add(this::checkSessions);
        StringBuilder detail = new StringBuilder();
        for (List<Supplier<Result<String>>> stage : List.of(first, then)) {
            for (Result<String> r : env.calls().inParallel(stage)) {
                if (!r.isOk()) {
                    return r;
                }
                detail.append(detail.isEmpty() ? "" : "; ").append(r.orElseThrow());
            }
        }
        return Result.ok(detail.toString());
    }

    /** The commit's session check, when the mover has one (see {@link SessionCheckPolicy}). */
    private Result<String> checkSessions() {
        Optional<String> whyNot = SessionCheckPolicy.whyNot(plan, moverCapabilities());
        if (whyNot.isPresent()) {
            rec.note("session check skipped at S708: " + whyNot.get());
            return Result.ok("session check skipped: " + whyNot.get());
        }
        return moverOp(Step.S708, "check-sessions", task.target().name(), (m, c) -> m.checkSessions(task, c));
    }

    /**
     * Probe-verified commit: the target copy is restored but not resumed, and its kernel already
     * completes a TCP handshake on v:port, so a connect from the probe host (which moved with the
     * users) proves the path before anything runs at the target. A failure fails S708, whose
     * rollback puts the users back and resumes the source: their sessions survive because
     * nothing ran at the target yet.
     */
    private Result<String> probeFromUserSide() {
        Optional<String> whyNot = CommitProbe.whyNot(plan, moverCapabilities());
        if (whyNot.isPresent()) {
            rec.note("probe skipped at S708: " + whyNot.get());
            return Result.ok("probe skipped: " + whyNot.get());
        }
        UserSideProbe spec = plan.probe().orElseThrow();
        Optional<ReachabilityProbe> driver = env.drivers().probe(spec.driverType());
        if (driver.isEmpty()) {
            return Result.failed(spec.host(), "user-side probe cannot run: " + notInstalled(spec.driverType()));
        }
        ProbeTask probe = probeTask(spec);
        Result<OpReport> r = call(Step.S708, spec.driverType(), spec.host(), "probe",
                c -> driver.get().probe(probe, c));
        if (r instanceof Result.Failed<OpReport> f) {
            return Result.failed(f.problem().device(), "user-side probe from " + spec.host() + " to "
                    + plan.virtualIp() + ":" + spec.port() + " failed: " + f.problem().cause());
        }
        return Result.ok("probe " + spec.host() + " reached " + plan.virtualIp() + ":" + spec.port() + ": "
                + describe(r.orElseThrow()));
    }

    private ProbeTask probeTask(UserSideProbe spec) {
        return new ProbeTask(id(), spec.host(), plan.virtualIp(), spec.port(), spec.timeout());
    }

    private Optional<MoverCapabilities> moverCapabilities() {
        return mover().flatMap(Preflights::capabilities);
    }

    /**
     * S710: resume only after S708, then announce the address from the target, because
     * anything announced before the users' ports moved is lost. A failed announce is kept as a
     * note rather than rolled back: the workload runs and the users are switched, and a
     * rollback would cost them a second interruption for what is only a slower ARP refresh.
     */
    private Result<String> resumeAndAnnounce() {
        String detail = "";
        if (task.freeze()) {
            Result<String> r = moverOp(Step.S710, "resume", task.target().name(), (m, c) -> m.resume(task, c));
            if (!r.isOk()) {
                return r;
            }
            detail = r.orElseThrow();
        }
        Result<String> a = moverOp(Step.S710, "announce", task.target().name(), (m, c) -> m.announce(task, c));
        if (a instanceof Result.Failed<String> f) {
            rec.note("announce failed at S710 (" + f.problem() + "); users may wait for their ARP entries to expire");
            return Result.ok(detail + (detail.isEmpty() ? "" : "; ") + "announce failed: " + f.problem());
        }
        return Result.ok(detail + (detail.isEmpty() ? "" : "; ") + a.orElseThrow());
    }

    private Result<String> reportResumed() {
        if (mode == MigrationMode.REPLICATE) {
            // journalled before SUCCEEDED so the load rule never fires twice for one replication
            env.journal().setBackupActive(plan.name(), true);
            return Result.ok("both copies run; backup site of plan " + plan.name() + " marked active");
        }
        return Result.ok("workload " + task.workload() + " runs at " + task.target().name());
    }

    private void succeed() {
        rec.finish(MigrationState.SUCCEEDED, Clock.nowMicros());
        save();
        MigrationRecord r = rec.snapshot();
        LOG.info("migration {} plan {} SUCCEEDED in {} us", id(), plan.name(), r.durationMicros());
        emit(Kind.FINISHED, null, "SUCCEEDED");
    }

    // ---- rollback ----

    private void rollback(Problem cause) {
        rollback(cause, rec.reached());
    }

    /** @param reached the last step that may have acted: the drivers undo up to there */
    private void rollback(Problem cause, Step reached) {
        synchronized (this) {
            pastPointOfNoReturn = true; // a second abort has nothing left to do
        }
        currentStep = reached;
        rec.failure(cause);
        rec.state(MigrationState.ROLLING_BACK);
        save();
        LOG.warn("migration {} plan {} rolling back from {}: {}", id(), plan.name(), reached, cause);
        emit(Kind.ROLLBACK, reached, "rolling back: " + cause);

        List<Problem> problems = new ArrayList<>();
        List<RollbackRetries.Undo> undo = new ArrayList<>();
        List<String> types;
        synchronized (switchBegun) {
            types = new ArrayList<>(switchBegun);
        }
        Collections.reverse(types);
        // users first: the workload must not run again at the source before its users are back
        for (String type : types) {
            Optional<AccessPortSwitcher> sw = env.drivers().switcher(type);
            if (sw.isEmpty()) {
                problems.add(new Problem("coordinator", notInstalled(type) + "; cannot restore users' ports"));
                continue;
            }
            List<PortMove> moves = switchGroups.get(type);
            undo.add(new RollbackRetries.Undo("restore of the users' ports via " + type,
                    () -> call(reached, type, devices(moves), "restore", c -> sw.get().restore(moves, c)).failure()));
        }
        // S702 is the mover's preflight, which only asks: there is nothing to undo before S703
        if (reached.compareTo(Step.S702) > 0) {
            undo.add(new RollbackRetries.Undo("rollback of workload " + task.workload(), () -> moverOp(reached,
                    "rollback", task.source().name(), (m, c) -> m.rollback(task, reached, c)).failure()));
        }
        problems.addAll(new RollbackRetries(env.stepTimeout(), ROLLBACK_RETRY_EVERY, rec::note, this::halted)
                .run(undo));
        long end = Clock.nowMicros();
        if (problems.isEmpty()) {
            rec.markUndone();
            rec.finish(MigrationState.ROLLED_BACK, end);
        } else {
            rec.note("cause: " + cause);
            problems.forEach(p -> rec.note("rollback failed: " + p));
            rec.note("operator action needed: check where workload " + task.workload()
                    + " runs and which VLAN the users' ports are on");
            rec.finish(MigrationState.FAILED, end);
        }
        save();
        MigrationState state = rec.state();
        if (state == MigrationState.FAILED) {
            LOG.error("migration {} plan {} FAILED: {}; rollback problems: {}", id(), plan.name(), cause, problems);
        } else {
            LOG.warn("migration {} plan {} ROLLED_BACK: {}", id(), plan.name(), cause);
        }
        emit(Kind.FINISHED, null, state + ": " + cause);
    }

    // ---- recovery ----

    /** Who recovers: this coordinator after its restart, or (in a cluster) the leader that took over. */
    private String recoveredBy() {
        ClusterStatus cluster = env.leadership().status();
        return cluster.clustered()
                ? "recovery by the leader " + cluster.member() + " (epoch " + env.leadership().epoch() + ")"
                : "recovery after a coordinator restart";
    }

    private void recover() {
        MigrationRecord before = rec.snapshot();
        Step last = rec.reached();
        currentStep = last;
        String where = recoveredBy() + " (" + before.state() + " at " + last + ")";
        LOG.warn("migration {} plan {}: {}", id(), plan.name(), where);
        // a rollback's own commit holds every step it undoes, as do a fencing journal's commits
        Step acted = before.state() == MigrationState.ROLLING_BACK || env.journal().commitFences() ? last
                : possiblyTaken(last);
        if (acted.compareTo(Step.S708) >= 0) {
            // restore is idempotent, so every group is restored although the crash may have hit mid-way
            synchronized (switchBegun) {
                switchBegun.addAll(switchGroups.keySet());
            }
        }
        if (before.state() == MigrationState.ROLLING_BACK) {
            rec.note(where + ": a rollback was under way; finishing it");
            rollback(before.failure().orElse(new Problem("coordinator", "rollback interrupted by a restart")));
            return;
        }
        Optional<Step> resumeBegun = begunAtOrAfter(Step.S709);
        if (resumeBegun.isPresent()) {
            rec.note(where + ": the journal shows " + resumeBegun.get()
                    + " begun, so the workload runs or resumes at the target; finishing forward");
            forwardFrom(firstUnfinished());
            return;
        }
        Result<WorkloadState> state = moverState(last);
        if (state.toOptional().filter(s -> s == WorkloadState.RUNNING_AT_TARGET
                || s == WorkloadState.RUNNING_AT_BOTH).isPresent()) {
            rec.note(where + ": the driver reports " + state.orElseThrow()
                    + ", so the workload already runs at the target; finishing forward");
            forwardFrom(firstUnfinished());
            return;
        }
        String why = state.isOk() ? "the driver reports " + state.orElseThrow()
                : "the driver cannot tell where the workload runs (" + state.failure().orElseThrow() + ")";
        String upTo = acted == last ? "" : "; " + last + "'s commit stands for the steps up to " + acted
                + ", which may have acted: every user's port is restored and the workload rolled back from " + acted;
        rec.note(where + ": " + why + "; rolling back" + upTo);
        rollback(new Problem("coordinator", "coordinator stopped during " + last + (acted == last ? ""
                : " (or up to " + acted + ")") + "; rolled back at restart"), acted);
    }

    /**
     * The last step that may have acted when the journal's last step begun is {@code journalled}
     * and no rollback was under way: from S704 up to S707, S708 ({@link #COVERED_BY_S704}).
     */
    private static Step possiblyTaken(Step journalled) {
        return journalled.compareTo(Step.S704) >= 0 && journalled.compareTo(Step.S708) < 0 ? Step.S708 : journalled;
    }

    private Result<WorkloadState> moverState(Step at) {
        Optional<WorkloadMover> m = mover();
        if (m.isEmpty()) {
            return Result.failed("coordinator", notInstalled(plan.workload().driverType()));
        }
        return call(at, plan.workload().driverType(), task.source().name(), "state", c -> m.get().state(task));
    }

    private Optional<Step> begunAtOrAfter(Step from) {
        for (Step s : Step.values()) {
            if (s.compareTo(from) >= 0 && rec.step(s).isPresent()) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private Step firstUnfinished() {
        for (Step s : Step.values()) {
            Optional<StepOutcome> o = rec.step(s).map(StepRecord::outcome);
            if (o.isEmpty() || (o.get() != StepOutcome.DONE && o.get() != StepOutcome.SKIPPED)) {
                return s;
            }
        }
        return Step.S711;
    }

    // ---- plumbing ----

    /**
     * Runs one step. The journal is committed before each step in {@link #COMMITTED_BEFORE}, and
     * that commit carries every change since the last one (ends of earlier steps, skips). Steps
     * that only decide inside the coordinator are not committed on their own: after a crash they
     * look unfinished and are simply taken again or rolled back, which leads to the same decision.
     * S705 and S708 act, but S704's commit stands for them ({@link #COVERED_BY_S704}). This keeps
     * commits (and fsyncs) out of the freeze window wherever they add no safety.
     */
    private Optional<Problem> step(Step s, Supplier<Result<String>> body) {
        currentStep = s;
        rec.stepStarted(s, Clock.nowMicros());
        boolean commit = COMMITTED_BEFORE.contains(s) || COVERED_BY_S704.contains(s) && env.journal().commitFences();
        if (commit) {
            save(); // journalled before the step is taken
        } else {
            halted();
        }
        FaultInjection.pauseAfterJournal(id(), s, commit); // off unless a crash test sets it
        halted();
        emit(Kind.STEP_STARTED, s, s.description());
        LOG.info("migration {} plan {} {} started: {}", id(), plan.name(), s, s.description());
        Result<String> r = body.get();
        FaultInjection.pauseAfterActing(id(), s); // off unless a crash test sets it
        halted(); // a stopping coordinator writes nothing more, not even this step's end
        if (r instanceof Result.Failed<String> f) {
            rec.stepEnded(s, StepOutcome.FAILED, f.problem().toString(), Clock.nowMicros()); // saved by the rollback
            LOG.warn("migration {} plan {} {} FAILED: {}", id(), plan.name(), s, f.problem());
            emit(Kind.STEP_FAILED, s, f.problem().toString());
            return Optional.of(f.problem());
        }
        String detail = r.orElseThrow();
        rec.stepEnded(s, StepOutcome.DONE, detail, Clock.nowMicros());
        LOG.info("migration {} plan {} {} done: {}", id(), plan.name(), s, detail);
        emit(Kind.STEP_DONE, s, detail);
        return Optional.empty();
    }

    private Optional<Problem> skip(Step s, String why) {
        currentStep = s;
        long now = Clock.nowMicros();
        rec.stepStarted(s, now);
        rec.stepEnded(s, StepOutcome.SKIPPED, why, now);
        halted();
        LOG.info("migration {} plan {} {} skipped: {}", id(), plan.name(), s, why);
        emit(Kind.STEP_SKIPPED, s, why);
        return Optional.empty();
    }

    private Result<String> moverOp(Step s, String operation, String device,
                                   BiFunction<WorkloadMover, DriverContext, Result<OpReport>> op) {
        Optional<WorkloadMover> m = mover();
        if (m.isEmpty()) {
            return Result.failed("coordinator", notInstalled(plan.workload().driverType()));
        }
        return call(s, plan.workload().driverType(), device, operation, c -> op.apply(m.get(), c))
                .map(report -> operation + ": " + describe(report));
    }

    /** Every driver call goes through here: time-limited and kept in the flight recorder. */
    private <T> Result<T> call(Step s, String driverType, String device, String operation,
                               Function<DriverContext, Result<T>> fn) {
        DriverContext context = new RunContext(s, driverType);
        long start = Clock.nowMicros();
        Result<T> r = env.calls().call(device, operation, env.stepTimeout(), () -> fn.apply(context));
        long end = Clock.nowMicros();
        String outcome = r instanceof Result.Ok<T> ok
                ? "ok" + (ok.value() instanceof OpReport rep ? ": " + describe(rep) : "")
                : "failed: " + r.failure().orElseThrow();
        rec.operation(new OperationRecord(s, driverType, device, operation, start, end, outcome));
        return r;
    }

    private Optional<WorkloadMover> mover() {
        return env.drivers().mover(plan.workload().driverType());
    }

    private void save() {
        halted();
        env.journal().save(rec.snapshot());
    }

    private void halted() {
        if (env.halted().getAsBoolean()) {
            throw new RunHalted();
        }
    }

    private void emit(Kind kind, Step step, String message) {
        MigrationEvent event = new MigrationEvent(id(), plan.name(), kind, step,
                Clock.nowMicros() - rec.startMicros(), message);
        deliver(listener, event);
        deliver(env.events(), event);
    }

    private void deliver(MigrationListener l, MigrationEvent event) {
        try {
            l.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("a migration listener failed on {}: {}", event.kind(), e.toString());
        }
    }

    public static String notInstalled(String driverType) {
        return "driver `" + driverType + "` not installed";
    }

    static String devices(List<PortMove> moves) {
        return String.join(",", moves.stream().map(m -> m.port().device()).distinct().toList());
    }

    private static String describe(OpReport r) {
        return r.measurements().isEmpty() ? r.summary() : r.summary() + " " + new TreeMap<>(r.measurements());
    }

    /** The context handed to one driver call: progress becomes an event, operations go to the recorder. */
    private final class RunContext implements DriverContext {
        private final Step step;
        private final String driverType;

        RunContext(Step step, String driverType) {
            this.step = step;
            this.driverType = driverType;
        }

        @Override
        public String migrationId() {
            return id();
        }

        @Override
        public void progress(String message) {
            emit(Kind.PROGRESS, step, message == null ? "" : message);
        }

        @Override
        public long epoch() {
            return env.leadership().epoch();
        }

        @Override
        public Optional<String> fenced() {
            if (env.halted().getAsBoolean()) {
                return Optional.of("coordinator stopping or no longer the cluster's leader");
            }
            return env.leadership().whyNotLeading();
        }

        @Override
        public void operation(String device, String operation, Instant start, Instant end, String outcome) {
            Instant now = Instant.now();
            rec.operation(new OperationRecord(step, driverType, device == null ? "" : device,
                    operation == null ? "" : operation, Clock.micros(start == null ? now : start),
                    Clock.micros(end == null ? now : end), outcome == null ? "" : outcome));
        }
    }
}
