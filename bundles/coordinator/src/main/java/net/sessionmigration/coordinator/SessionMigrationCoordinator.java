package net.sessionmigration.coordinator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.model.Device;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.UserSideProbe;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.DriverStatus;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanError;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.coordinator.journal.Journal;
import net.sessionmigration.coordinator.journal.JournalClosedException;
import net.sessionmigration.coordinator.journal.PlanSource;
import net.sessionmigration.coordinator.plan.CapabilityCheck;
import net.sessionmigration.coordinator.plan.ParsedPlan;
import net.sessionmigration.coordinator.plan.PlanFolder;
import net.sessionmigration.coordinator.plan.PlanParser;
import net.sessionmigration.coordinator.run.Clock;
import net.sessionmigration.coordinator.run.DriverCalls;
import net.sessionmigration.coordinator.run.FlightRecorder;
import net.sessionmigration.coordinator.run.MigrationRun;
import net.sessionmigration.coordinator.run.Preflights;
import net.sessionmigration.coordinator.run.RunEnvironment;

/**
 * The server/network linkage control of the seed: plans, start and abort, history, dry-run
 * and recovery, without any OSGi type so that tests and benchmarks use it directly. It owns
 * the journal it is given and closes it in {@link #close()}.
 */
public final class SessionMigrationCoordinator implements MigrationService, MigrationAdminService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionMigrationCoordinator.class);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /** How long a stop waits for runs to notice it; they write nothing meanwhile, so this only tidies threads. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(1);

    private final CoordinatorSettings settings;
    private final DriverRegistry drivers;
    private final Journal journal;
    private final PlanFolder plans;
    private final PlanParser parser = new PlanParser();
    private final ExecutorService runPool = Executors.newCachedThreadPool(daemon("sm-migration"));
    private final ExecutorService callPool = Executors.newCachedThreadPool(daemon("sm-driver-call"));
    private final DriverCalls calls = new DriverCalls(callPool);
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(daemon("sm-plans"));
    /** Keep-warm's own thread: a slow device's preflight never holds up the plan folder's refresh. */
    private final ScheduledExecutorService warmer = Executors.newSingleThreadScheduledExecutor(daemon("sm-keep-warm"));
    private final AtomicBoolean warmPending = new AtomicBoolean();
    private final Runnable onDriverChangeWarm = this::warmSoon;
    private final Map<String, MigrationRun> active = new ConcurrentHashMap<>();
    /** plan name -> the migration that holds it (running, or unfinished and waiting for a driver to recover). */
    private final Map<String, String> planInUse = new ConcurrentHashMap<>();
    private final Map<String, MigrationRecord> awaitingDriver = new ConcurrentHashMap<>();
    private final List<MigrationListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean halted = new AtomicBoolean();
    /** In a cluster: true while another member leads; runs then take no step, as when stopping. */
    private final AtomicBoolean deposed = new AtomicBoolean();
    private final Leadership leadership;
    private volatile boolean opened;
    private final ExecutorService takeOvers = Executors.newSingleThreadExecutor(daemon("sm-take-over"));
    private final Runnable onDriverChange = this::retryRecoveries;
    private final RunEnvironment env;

    /** A coordinator that runs alone. */
    public SessionMigrationCoordinator(CoordinatorSettings settings, DriverRegistry drivers, Journal journal) {
        this(settings, drivers, journal, Leadership.alone());
    }

    /**
     * A coordinator that runs migrations only while {@code leadership} says it leads: one member of a
     * cluster, whose {@code journal} is the cluster's shared one.
     */
    public SessionMigrationCoordinator(CoordinatorSettings settings, DriverRegistry drivers, Journal journal,
                                       Leadership leadership) {
        this.settings = settings;
        this.drivers = drivers;
        this.journal = journal;
        this.leadership = leadership;
        this.plans = new PlanFolder(settings.plansDir());
        this.env = new RunEnvironment(drivers, journal, calls, settings.stepTimeout(), this::broadcast,
                () -> halted.get() || deposed.get(), leadership);
    }

    /** Loads the plans, starts watching the folder and drives every unfinished migration to a safe end. */
    public void open() {
        plans.refresh();
        if (!settings.plansPoll().isZero()) {
            long ms = Math.max(1, settings.plansPoll().toMillis());
            poller.scheduleWithFixedDelay(plans::refresh, ms, ms, TimeUnit.MILLISECONDS);
        }
        drivers.onChange(onDriverChange);
        deposed.set(true);
        // leading already (alone, always): recover now, before open returns, as a restart always did;
        // a leadership won later takes over on its own thread
        Thread opener = Thread.currentThread();
        leadership.listen(epoch -> {
            if (Thread.currentThread() == opener && !opened) {
                takeOver(epoch);
            } else {
                takeOvers.execute(() -> takeOver(epoch));
            }
        }, this::depose);
        opened = true;
        if (!settings.keepWarm().isZero()) {
            long ms = Math.max(1, settings.keepWarm().toMillis());
            warmer.scheduleWithFixedDelay(this::keepWarm, ms, ms, TimeUnit.MILLISECONDS);
            drivers.onChange(onDriverChangeWarm);
            warmSoon();
        }
        LOG.info("coordinator ready: plans in {}, journal {}, step timeout {}", plans.dir(), journal.location(),
                DriverCalls.format(settings.stepTimeout()));
    }

    /**
     * Stops at once: nothing is written after this returns, running migrations take no further
     * step and stay unfinished in the journal, so that the next start recovers them.
     */
    @Override
    public void close() {
        if (!halted.compareAndSet(false, true)) {
            return;
        }
        drivers.removeOnChange(onDriverChange);
        drivers.removeOnChange(onDriverChangeWarm);
        poller.shutdownNow();
        warmer.shutdownNow();
        takeOvers.shutdownNow();
        journal.close();
        active.values().forEach(MigrationRun::halt);
        runPool.shutdownNow();
        callPool.shutdownNow();
        try {
            if (!runPool.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("some migration threads are still in driver calls; they will write nothing more");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!active.isEmpty()) {
            LOG.warn("coordinator stopped with {} migration(s) in flight; the next start recovers them: {}",
                    active.size(), active.keySet());
        }
    }

    /** One keep-warm round half a second from now (drivers bind one by one: one round for a burst). */
    private void warmSoon() {
        if (warmPending.compareAndSet(false, true)) {
            try {
                warmer.schedule(() -> {
                    warmPending.set(false);
                    keepWarm();
                }, 500, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                warmPending.set(false); // closed
            }
        }
    }

    /**
     * Keep-warm: the dry-run of every runnable plan, while no migration runs. Its preflight calls
     * open and authenticate the drivers' connections (the daemons' TLS, SNMPv3's engine discovery),
     * and each daemon runs CRIU's check, so that the first migration after a start, or after weeks
     * idle (a disaster's), does not pay for them inside its freeze. Read-only, like dry-run.
     */
    void keepWarm() {
        if (halted.get() || !active.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        int n = 0;
        List<String> noGo = new ArrayList<>();
        for (PlanStatus p : plans()) {
            if (!p.runnable() || halted.get() || !active.isEmpty()) {
                continue;
            }
            try {
                DryRunReport r = dryRun(p.name());
                n++;
                if (!r.problems().isEmpty()) {
                    noGo.add(p.name());
                }
            } catch (RuntimeException e) {
                LOG.debug("keep-warm: dry-run of {} failed: {}", p.name(), e.toString());
            }
        }
        LOG.debug("keep-warm: {} plan(s) checked in {} ms{}", n, (System.nanoTime() - t0) / 1_000_000,
                noGo.isEmpty() ? "" : ", NO-GO: " + noGo);
    }

    /** Re-reads the plan folder now. */
    public void refreshPlans() {
        plans.refresh();
    }

    // ---- MigrationService ----

    @Override
    public List<PlanStatus> plans() {
        plans.refresh();
        return plans.all().stream().map(this::status).toList();
    }

    @Override
    public Optional<PlanStatus> plan(String name) {
        plans.refresh();
        return plans.get(name).map(this::status);
    }

    @Override
    public PlanStatus validate(Path file) {
        // only files in the plans folder (a plan's own file is named relative to it): the shell
        // must not become a way to read, or probe for, any file on the host
        Path folder = settings.plansDir().toAbsolutePath().normalize();
        Path candidate = folder.resolve(file).normalize();
        String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        try {
            if (candidate.startsWith(folder) && Files.isRegularFile(candidate)
                    && candidate.toRealPath().startsWith(folder.toRealPath())) {
                return status(parser.parse(candidate));
            }
        } catch (java.io.IOException e) {
            // answered as a file that is not there
        }
        return status(new ParsedPlan(PlanParser.planName(Path.of(fileName)), fileName, Optional.empty(),
                List.of(new PlanError(fileName, "", "", "no plan file '" + file + "' in the plans folder " + folder
                        + " (plan-validate reads only files there; put a new plan there, it is validated when it"
                        + " is picked up)")), ""));
    }

    @Override
    public DryRunReport dryRun(String name) {
        plans.refresh();
        Optional<ParsedPlan> parsed = plans.get(name);
        if (parsed.isEmpty()) {
            return new DryRunReport(name, List.of(new Problem("coordinator", "no plan named `" + name + "`")),
                    List.of(), Duration.ZERO, Duration.ZERO);
        }
        PlanStatus status = status(parsed.get());
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        status.errors().forEach(e -> problems.add(problemOf(e)));
        status.missingDrivers().forEach(d -> problems.add(new Problem("coordinator", MigrationRun.notInstalled(d))));
        if (status.plan().isEmpty()) {
            return new DryRunReport(name, problems, notes, Duration.ZERO, Duration.ZERO);
        }
        MigrationPlan plan = status.plan().get();
        MigrationMode mode = plan.mode();
        if (mode == MigrationMode.REPLICATE && status.backupActive()) {
            problems.add(backupActiveProblem(name));
        }
        Optional.ofNullable(planInUse.get(name)).ifPresent(id ->
                problems.add(new Problem("coordinator", "migration " + id + " of this plan has not finished")));
        Preflights.Outcome o = Preflights.ask(drivers, calls, plan, mode, "dry-run", journal.history(Preflights.CALIBRATION_LOOKBACK),
                this::dryRunCall);
        problems.addAll(o.problems());
        notes.addAll(o.notes());
        return new DryRunReport(name, problems.stream().distinct().toList(), notes, o.freezeWindow(),
                o.userBlackout());
    }

    private <T> Result<T> dryRunCall(String driverType, String device, String operation, Supplier<Result<T>> op) {
        return calls.call(device, operation, settings.stepTimeout(), op);
    }

    @Override
    public Optional<MigrationRecord> migration(String id) {
        MigrationRun run = active.get(id);
        return run != null ? Optional.of(run.snapshot()) : journal.record(id);
    }

    @Override
    public List<MigrationRecord> history(int limit) {
        List<MigrationRecord> list = new ArrayList<>(journal.history(limit));
        list.replaceAll(r -> active.containsKey(r.id()) ? active.get(r.id()).snapshot() : r);
        return list;
    }

    @Override
    public ClusterStatus cluster() {
        ClusterStatus s = leadership.status();
        if (s.leading() && deposed.get() && !halted.get()) {
            return new ClusterStatus(s.member(), s.clustered(), false, s.leader(), s.epoch(), s.zookeeper(), s.members(),
                    s.connect(), Optional.of("elected (epoch " + s.epoch() + "), taking over: reading the journal and"
                            + " recovering its unfinished migrations"));
        }
        return s;
    }

    @Override
    public List<MigrationRecord> running() {
        List<MigrationRecord> list = new ArrayList<>();
        active.values().forEach(r -> list.add(r.snapshot()));
        list.addAll(awaitingDriver.values());
        list.sort(Comparator.comparingLong(MigrationRecord::startMicros));
        return list;
    }

    @Override
    public List<DriverStatus> drivers() {
        Map<String, TreeSet<String>> wanted = new TreeMap<>();
        for (ParsedPlan p : currentPlans()) {
            p.plan().ifPresent(plan -> {
                wanted.computeIfAbsent(key(DriverRegistry.MOVER, plan.workload().driverType()), k -> new TreeSet<>())
                        .add(plan.name());
                for (Device d : plan.devices().values()) {
                    wanted.computeIfAbsent(key(DriverRegistry.SWITCHER, d.driverType()), k -> new TreeSet<>())
                            .add(plan.name());
                }
                plan.probe().filter(UserSideProbe::enabled).ifPresent(probe -> wanted
                        .computeIfAbsent(key(DriverRegistry.PROBE, probe.driverType()), k -> new TreeSet<>())
                        .add(plan.name()));
            });
        }
        Map<String, DriverStatus> all = new TreeMap<>();
        installed(drivers.movers(), DriverRegistry.MOVER, wanted, all);
        installed(drivers.switchers(), DriverRegistry.SWITCHER, wanted, all);
        installed(drivers.probes(), DriverRegistry.PROBE, wanted, all);
        wanted.forEach((k, planNames) -> {
            if (!all.containsKey(k)) {
                String[] parts = k.split(" ", 2);
                all.put(k, new DriverStatus(parts[1], parts[0], false, "", List.copyOf(planNames)));
            }
        });
        return all.values().stream()
                .sorted(Comparator.comparing(DriverStatus::driverType).thenComparing(DriverStatus::capability))
                .toList();
    }

    // ---- MigrationAdminService ----

    @Override
    public Result<String> start(StartRequest request, MigrationListener listener) {
        if (halted.get()) {
            return Result.failed("coordinator", "the coordinator is stopping");
        }
        Optional<String> notLeading = leadership.whyNotLeading();
        if (notLeading.isPresent() || deposed.get()) {
            return Result.failed("coordinator", notLeading.orElse("this coordinator is taking over; try again shortly"));
        }
        if (request == null || request.plan() == null) {
            return Result.failed("coordinator", "a start request needs a plan name");
        }
        String name = request.plan();
        plans.refresh();
        Optional<ParsedPlan> parsed = plans.get(name);
        if (parsed.isEmpty()) {
            return Result.failed("coordinator", "no plan named `" + name + "`");
        }
        ParsedPlan p = parsed.get();
        Optional<Result<String>> busy = planBusy(name);
        if (busy.isPresent()) {
            return busy.get();
        }
        if (!p.valid()) {
            return invalid(p.file(), name, p.errors());
        }
        MigrationPlan plan = p.plan().orElseThrow();
        MigrationMode mode = request.mode() == null ? plan.mode() : request.mode().orElse(plan.mode());
        List<String> missing = missingDrivers(plan);
        if (!missing.isEmpty()) {
            return Result.failed("coordinator",
                    String.join("; ", missing.stream().map(MigrationRun::notInstalled).toList()));
        }
        List<PlanError> errors = new ArrayList<>(CapabilityCheck.modeCheck(p.file(), plan, mode));
        Result<MoverCapabilities> caps = capabilities(plan.workload().driverType());
        if (caps instanceof Result.Failed<MoverCapabilities> f) {
            return Result.failed(f.problem());
        }
        errors.addAll(CapabilityCheck.check(p.file(), plan, mode, caps.orElseThrow()));
        if (!errors.isEmpty()) {
            return invalid(p.file(), name, errors);
        }
        if (mode == MigrationMode.REPLICATE && journal.backupActive(name)) {
            return Result.failed(backupActiveProblem(name));
        }
        MigrationListener perStart = listener == null ? e -> { } : listener;
        String trigger = request.trigger() == null || request.trigger().isBlank() ? "unknown" : request.trigger();

        MigrationRun run;
        synchronized (this) {
            busy = planBusy(name); // again, now under the lock that claims the plan
            if (busy.isPresent()) {
                return busy.get();
            }
            Instant now = Instant.now();
            String id;
            FlightRecorder rec;
            try {
                id = ID_TIME.format(now) + "-" + journal.nextSequence();
                rec = new FlightRecorder(id, name, mode, trigger, Clock.micros(now));
                rec.stepStarted(Step.S701, Clock.micros(now));
                rec.stepEnded(Step.S701, StepOutcome.DONE, "requested by " + trigger + "; mode " + mode + "; "
                        + plan.usersToSwitch(mode).size() + " user(s) to switch", Clock.nowMicros());
                journal.saveNew(rec.snapshot(), new PlanSource(p.file(), p.source()));
            } catch (JournalClosedException e) {
                return Result.failed("coordinator", "the coordinator is stopping");
            }
            run = MigrationRun.start(env, plan, rec, perStart, this::exited);
            planInUse.put(name, id);
            active.put(id, run);
        }
        LOG.info("migration {} plan {} S701 start request from {} (mode {})", run.id(), name, trigger, mode);
        MigrationEvent s701 = new MigrationEvent(run.id(), name, MigrationEvent.Kind.STEP_DONE, Step.S701,
                0, Step.S701.description());
        deliver(perStart, s701);
        broadcast(s701);
        try {
            runPool.execute(run);
        } catch (RuntimeException e) {
            // only when stopping; the journalled S701 is recovered (rolled back) by the next start
            return Result.failed("coordinator", "the coordinator is stopping");
        }
        return Result.ok(run.id());
    }

    @Override
    public Result<MigrationRecord> await(String migrationId, Duration timeout) {
        MigrationRun run = active.get(migrationId);
        if (run != null) {
            try {
                return Result.ok(run.finished().get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                return Result.ok(run.snapshot());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.ok(run.snapshot());
            } catch (ExecutionException e) {
                return Result.failed("coordinator", "migration " + migrationId + " ended abnormally: " + e.getCause());
            }
        }
        return journal.record(migrationId).map(Result::ok)
                .orElseGet(() -> Result.failed("coordinator", "no migration `" + migrationId + "`"));
    }

    @Override
    public Result<String> abort(String migrationId) {
        MigrationRun run = active.get(migrationId);
        if (run == null) {
            if (awaitingDriver.containsKey(migrationId)) {
                return Result.failed("coordinator", "migration " + migrationId
                        + " waits for its driver to be recovered; recovery decides forward or back");
            }
            return journal.record(migrationId)
                    .map(r -> Result.<String>failed("coordinator", "migration " + migrationId
                            + " has already finished (" + r.state() + ")"))
                    .orElseGet(() -> Result.failed("coordinator", "no migration `" + migrationId + "`"));
        }
        return switch (run.requestAbort()) {
            case ROLLING_BACK -> Result.ok("abort requested: migration " + migrationId
                    + " rolls back at the next step boundary");
            case FINISHING_FORWARD -> Result.ok("migration " + migrationId
                    + " is already resuming at the target; it finishes forward, which is the safe end");
            case NOT_RUNNING -> Result.failed("coordinator", "migration " + migrationId + " has already finished");
        };
    }

    @Override
    public Optional<TriggerMemory> triggerMemory(String rule) {
        return journal.triggerMemory(rule);
    }

    @Override
    public void rememberTrigger(TriggerMemory memory) {
        journal.rememberTrigger(memory);
    }

    @Override
    public Result<String> resetBackupActive(String plan) {
        try {
            if (!journal.backupActive(plan)) {
                if (plans.get(plan).isEmpty()) {
                    return Result.failed("coordinator", "no plan named `" + plan + "`");
                }
                return Result.ok("the backup site of plan `" + plan + "` was not marked active");
            }
            journal.setBackupActive(plan, false);
            LOG.info("backup-active flag of plan {} cleared", plan);
            return Result.ok("the backup site of plan `" + plan + "` is no longer marked active");
        } catch (JournalClosedException e) {
            return Result.failed("coordinator", "the coordinator is stopping");
        }
    }

    @Override
    public void addListener(MigrationListener listener) {
        if (listener != null) {
            listeners.add(listener);
        }
    }

    @Override
    public void removeListener(MigrationListener listener) {
        listeners.remove(listener);
    }

    // ---- leadership and recovery ----

    /**
     * This coordinator leads (alone: at open): once the runs of an earlier leadership have ended, it
     * reads the journal again and drives every unfinished migration to a safe end, exactly as after
     * a restart.
     */
    private void takeOver(long epoch) {
        long deadline = System.nanoTime() + settings.stepTimeout().plus(STOP_GRACE).toNanos();
        while (!active.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return; // closing
            }
        }
        if (!active.isEmpty()) {
            LOG.error("not taking over yet (epoch {}): runs of an earlier leadership have not ended: {}; trying again"
                    + " in 1 s", epoch, active.keySet());
            retryTakeOver(epoch);
            return;
        }
        synchronized (this) {
            if (halted.get() || leadership.whyNotLeading().isPresent()) {
                return;
            }
            try {
                journal.reload();
            } catch (RuntimeException e) {
                LOG.warn("elected (epoch {}) but the shared journal cannot be read ({}); trying again in 1 s", epoch,
                        e.getMessage());
                retryTakeOver(epoch);
                return;
            }
            planInUse.clear();
            awaitingDriver.clear();
            deposed.set(false);
        }
        List<MigrationRecord> unfinished = journal.unfinished();
        if (!unfinished.isEmpty()) {
            LOG.warn("journal {} holds {} unfinished migration(s); recovering{}", journal.location(), unfinished.size(),
                    epoch == 0 ? "" : " as the new leader (epoch " + epoch + ")");
        }
        unfinished.forEach(this::recover);
    }

    private void retryTakeOver(long epoch) {
        try {
            warmer.schedule(() -> takeOvers.execute(() -> takeOver(epoch)), 1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /** Another member leads now: every run stops where it is, calls no driver and writes nothing more. */
    private void depose(String why) {
        if (deposed.getAndSet(true)) {
            return;
        }
        LOG.warn("coordinator deposed ({}): {} migration(s) stop where they are for the leader to recover: {}", why,
                active.size(), active.keySet());
        active.values().forEach(MigrationRun::halt);
    }

    private synchronized void recover(MigrationRecord record) {
        if (halted.get() || deposed.get()) {
            return;
        }
        Optional<MigrationPlan> plan = journal.planSource(record.id())
                .map(src -> parser.parse(src.file(), src.json()))
                .flatMap(ParsedPlan::plan);
        if (plan.isEmpty()) {
            FlightRecorder rec = FlightRecorder.resume(record);
            rec.note("cannot recover after a restart: the plan this migration ran is missing from the journal;"
                    + " operator action needed");
            rec.finish(MigrationState.FAILED, Clock.nowMicros());
            journal.save(rec.snapshot());
            LOG.error("migration {} cannot be recovered: its plan is missing from the journal", record.id());
            return;
        }
        planInUse.put(record.plan(), record.id());
        List<String> missing = missingDrivers(plan.get());
        if (!missing.isEmpty()) {
            awaitingDriver.put(record.id(), record);
            LOG.warn("migration {} plan {} is unfinished and waits for {} to be recovered", record.id(),
                    record.plan(), missing.stream().map(MigrationRun::notInstalled).toList());
            return;
        }
        awaitingDriver.remove(record.id());
        MigrationRun run = MigrationRun.recover(env, plan.get(), FlightRecorder.resume(record), this::exited);
        active.put(record.id(), run);
        runPool.execute(run);
    }

    private void retryRecoveries() {
        for (MigrationRecord r : List.copyOf(awaitingDriver.values())) {
            try {
                recover(r);
            } catch (RuntimeException e) {
                LOG.warn("recovery of migration {} could not start yet: {}", r.id(), e.toString());
            }
        }
    }

    private void exited(MigrationRun run) {
        active.remove(run.id());
        if (halted.get() || deposed.get()) {
            return; // its plan stays claimed until this coordinator, restarted or leading again, recovers it
        }
        planInUse.remove(run.planName(), run.id());
        try {
            journal.prune(settings.historyKeep());
        } catch (RuntimeException e) {
            LOG.warn("history pruning failed: {}", e.toString());
        }
    }

    // ---- helpers ----

    private PlanStatus status(ParsedPlan p) {
        List<PlanError> errors = new ArrayList<>(p.errors());
        List<String> missing = List.of();
        if (p.plan().isPresent()) {
            MigrationPlan plan = p.plan().get();
            missing = missingDrivers(plan);
            if (drivers.mover(plan.workload().driverType()).isPresent()) {
                Result<MoverCapabilities> caps = capabilities(plan.workload().driverType());
                if (caps instanceof Result.Failed<MoverCapabilities> f) {
                    errors.add(new PlanError(p.file(), "workload.driver", plan.workload().driverType(),
                            f.problem().cause()));
                } else {
                    errors.addAll(CapabilityCheck.check(p.file(), plan, plan.mode(), caps.orElseThrow()));
                }
            }
        }
        return new PlanStatus(p.name(), p.file(), p.plan(), errors, missing, journal.backupActive(p.name()));
    }

    private Result<MoverCapabilities> capabilities(String driverType) {
        Optional<WorkloadMover> m = drivers.mover(driverType);
        if (m.isEmpty()) {
            return Result.failed("coordinator", MigrationRun.notInstalled(driverType));
        }
        try {
            MoverCapabilities c = m.get().capabilities();
            return c == null ? Result.failed(driverType, "driver `" + driverType + "` reports no capabilities")
                    : Result.ok(c);
        } catch (RuntimeException e) {
            LOG.warn("driver {} failed to report its capabilities", driverType, e);
            return Result.failed(driverType, "driver `" + driverType + "` cannot report its capabilities: " + e);
        }
    }

    private Optional<Result<String>> planBusy(String name) {
        String other = planInUse.get(name);
        MigrationRun run = other == null ? null : active.get(other);
        if (other == null || run != null && run.snapshot().state().finished()) {
            // a run whose end is already recorded (and shown) only has its exit left: the plan is free
            return Optional.empty();
        }
        return Optional.of(Result.failed("coordinator", "plan `" + name + "` already has migration " + other
                + (awaitingDriver.containsKey(other) ? " waiting for recovery" : " running")));
    }

    private List<String> missingDrivers(MigrationPlan plan) {
        List<String> missing = new ArrayList<>();
        if (drivers.mover(plan.workload().driverType()).isEmpty()) {
            missing.add(plan.workload().driverType());
        }
        plan.devices().values().stream().map(Device::driverType).distinct().sorted()
                .filter(t -> drivers.switcher(t).isEmpty() && !missing.contains(t))
                .forEach(missing::add);
        plan.probe().filter(UserSideProbe::enabled).map(UserSideProbe::driverType)
                .filter(t -> drivers.probe(t).isEmpty() && !missing.contains(t))
                .ifPresent(missing::add);
        return missing;
    }

    private List<ParsedPlan> currentPlans() {
        plans.refresh();
        return plans.all();
    }

    private static Result<String> invalid(String file, String name, List<PlanError> errors) {
        PlanError first = errors.get(0);
        String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more error(s))" : "";
        return Result.failed(file, "plan `" + name + "` cannot run: " + first.field()
                + (first.value() == null || first.value().isEmpty() ? "" : " = '" + first.value() + "'")
                + ": " + first.message() + more);
    }

    private static Problem problemOf(PlanError e) {
        return new Problem(e.file(), (e.field().isEmpty() ? "" : e.field() + ": ")
                + (e.value() == null || e.value().isEmpty() ? "" : "'" + e.value() + "': ") + e.message());
    }

    private static Problem backupActiveProblem(String plan) {
        return new Problem("coordinator", "the backup site of plan `" + plan + "` is already active;"
                + " reset it first (migration reset-backup " + plan + ")");
    }

    private static String key(String capability, String driverType) {
        return capability + " " + driverType;
    }

    /** The installed drivers of one capability, the used one of each type first (as the registry lists them). */
    private static void installed(List<? extends DriverRegistry.Installed<?>> list, String capability,
                                  Map<String, TreeSet<String>> wanted, Map<String, DriverStatus> into) {
        for (DriverRegistry.Installed<?> i : list) {
            String k = key(capability, i.driverType());
            DriverStatus used = into.get(k);
            if (used == null) {
                into.put(k, new DriverStatus(i.driverType(), capability, true, i.vendor(),
                        List.copyOf(wanted.getOrDefault(k, new TreeSet<>())), List.of()));
            } else {
                List<String> notUsed = new ArrayList<>(used.notUsed());
                notUsed.add(i.describe());
                into.put(k, new DriverStatus(used.driverType(), capability, true, used.vendor(), used.plans(), notUsed));
            }
        }
    }

    private void broadcast(MigrationEvent event) {
        listeners.forEach(l -> deliver(l, event));
    }

    private static void deliver(MigrationListener l, MigrationEvent event) {
        try {
            l.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("a migration listener failed on {}: {}", event.kind(), e.toString());
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
