package net.sessionmigration.traps;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.Workload;
import net.sessionmigration.api.service.DriverStatus;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;

/** A coordinator that records starts; migrations stay RUNNING until the test finishes them. */
class FakeCoordinator implements MigrationAdminService, MigrationService {
    record Start(StartRequest request, String id, long nanos) {
    }

    final List<Start> starts = new CopyOnWriteArrayList<>();
    private final Map<String, PlanStatus> plans = new ConcurrentHashMap<>();
    private final Map<String, MigrationRecord> records = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    FakeCoordinator plan(String name, String vip) {
        MigrationPlan p = new MigrationPlan(1, name, "test plan", MigrationMode.MOVE, new VirtualIp(vip),
                Map.of("main", new Server("main", "main"), "backup", new Server("backup", "backup")),
                new Workload("svc", "simulated", "main", "backup", true, true, Map.of()), Map.of(), List.of());
        plans.put(name, new PlanStatus(name, name + ".json", Optional.of(p), List.of(), List.of(), false));
        return this;
    }

    void setBackupActive(String plan, boolean active) {
        PlanStatus s = plans.get(plan);
        plans.put(plan, new PlanStatus(s.name(), s.file(), s.plan(), s.errors(), s.missingDrivers(), active));
    }

    /** Ends a migration; a succeeded REPLICATE sets the plan's backup-active flag, as the coordinator does. */
    void finish(String id, MigrationState state) {
        MigrationRecord r = records.get(id);
        records.put(id, new MigrationRecord(r.id(), r.plan(), r.mode(), r.trigger(), state, r.startMicros(),
                r.startMicros() + 1, List.of(), List.of(), Optional.empty(), List.of()));
        if (state == MigrationState.SUCCEEDED && r.mode() == MigrationMode.REPLICATE) {
            setBackupActive(r.plan(), true);
        }
    }

    List<Start> startsOf(String plan) {
        return starts.stream().filter(s -> s.request().plan().equals(plan)).toList();
    }

    /** Waits up to {@code timeout} for at least {@code n} starts. */
    boolean awaitStarts(int n, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (starts.size() < n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        return starts.size() >= n;
    }

    /** Runs first in every start (a test looks at what was journalled before it). */
    volatile java.util.function.Consumer<StartRequest> onStart = r -> { };
    volatile boolean refuseStarts;

    @Override
    public synchronized Result<String> start(StartRequest request, MigrationListener listener) {
        onStart.accept(request);
        if (refuseStarts) {
            return Result.failed("coordinator", "refused by the test");
        }
        if (!plans.containsKey(request.plan())) {
            return Result.failed("coordinator", "plan '" + request.plan() + "' is unknown");
        }
        if (running().stream().anyMatch(r -> r.plan().equals(request.plan()))) {
            return Result.failed("coordinator", "plan '" + request.plan() + "' already runs");
        }
        String id = "m" + ids.incrementAndGet();
        long nanos = System.nanoTime();
        java.time.Instant now = java.time.Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        MigrationMode mode = request.mode().orElse(MigrationMode.MOVE);
        records.put(id, new MigrationRecord(id, request.plan(), mode, request.trigger(), MigrationState.RUNNING, micros,
                0, List.of(), List.of(), Optional.empty(), List.of()));
        starts.add(new Start(request, id, nanos));
        return Result.ok(id);
    }

    @Override
    public Result<MigrationRecord> await(String migrationId, Duration timeout) {
        return Optional.ofNullable(records.get(migrationId)).<Result<MigrationRecord>>map(Result::ok)
                .orElse(Result.failed("coordinator", "no such migration"));
    }

    @Override
    public Result<String> abort(String migrationId) {
        finish(migrationId, MigrationState.ROLLED_BACK);
        return Result.ok(migrationId);
    }

    /** Alone unless a test makes this coordinator a cluster member. */
    volatile ClusterStatus cluster = ClusterStatus.alone();

    @Override
    public ClusterStatus cluster() {
        return cluster;
    }

    /** The journal's trigger memories, by rule name. */
    final Map<String, TriggerMemory> triggers = new ConcurrentHashMap<>();

    @Override
    public Optional<TriggerMemory> triggerMemory(String rule) {
        return Optional.ofNullable(triggers.get(rule));
    }

    volatile boolean journalClosed;

    @Override
    public void rememberTrigger(TriggerMemory memory) {
        if (journalClosed) {
            throw new IllegalStateException("journal closed");
        }
        triggers.put(memory.rule(), memory);
    }

    @Override
    public Result<String> resetBackupActive(String plan) {
        setBackupActive(plan, false);
        return Result.ok(plan);
    }

    @Override
    public void addListener(MigrationListener listener) {
    }

    @Override
    public void removeListener(MigrationListener listener) {
    }

    @Override
    public List<PlanStatus> plans() {
        return List.copyOf(plans.values());
    }

    @Override
    public Optional<PlanStatus> plan(String name) {
        return Optional.ofNullable(plans.get(name));
    }

    @Override
    public PlanStatus validate(java.nio.file.Path file) {
        throw new UnsupportedOperationException();
    }

    @Override
    public DryRunReport dryRun(String plan) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<MigrationRecord> migration(String id) {
        return Optional.ofNullable(records.get(id));
    }

    @Override
    public List<MigrationRecord> history(int limit) {
        List<MigrationRecord> all = new ArrayList<>(records.values());
        all.sort(Comparator.comparingLong(MigrationRecord::startMicros).reversed());
        return all.subList(0, Math.min(limit, all.size()));
    }

    @Override
    public List<MigrationRecord> running() {
        return records.values().stream().filter(r -> !r.state().finished()).toList();
    }

    @Override
    public List<DriverStatus> drivers() {
        return List.of();
    }
}
