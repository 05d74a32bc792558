package net.sessionmigration.daemondriver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.PreflightAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

/**
 * Moves a VM with the QEMU backend of the daemons (live migration over QMP). S704 asks the
 * source daemon again and again (each call waits up to a second for the end) and reports
 * QEMU's progress to the coordinator; the destination stays paused until S710 ({@code cont},
 * after the users' ports moved), then {@code announce-self}. S703 is a no-op (QEMU stops the
 * guest itself for the last pass) and S705 is not supported: the address travels inside the
 * guest. A VM cannot be replicated.
 *
 * <p>Task options: {@code downtimeLimitMs} and {@code maxBandwidth} (bytes/s) for QEMU
 * (else the daemons' configuration), {@code migrationTimeoutSeconds} (default 100; keep it below the coordinator's step timeout).
 *
 * <p>Every operation carries the coordinator's epoch ({@code X-SM-Epoch}, {@link DriverContext#epoch()});
 * preflight and state, and the wait for the destination, are reads and carry none.
 */
public final class QemuDaemonMover implements WorkloadMover {
    public static final String DRIVER_TYPE = "qemu-daemon";
    public static final String OPTION_DOWNTIME_LIMIT_MS = "downtimeLimitMs";
    public static final String OPTION_MAX_BANDWIDTH = "maxBandwidth";
    public static final String OPTION_MIGRATION_TIMEOUT = "migrationTimeoutSeconds";
    private static final Duration DEFAULT_EXPECTED = Duration.ofMillis(500);
    /** Below the coordinator's default step timeout (120 s), so the driver ends S704 with its own clear failure. */
    static final long DEFAULT_MIGRATION_TIMEOUT_SECONDS = 100;

    private final DaemonClient daemons;

    public QemuDaemonMover(DaemonClient daemons) {
        this.daemons = daemons;
    }

    @Override
    public MoverCapabilities capabilities() {
        return new MoverCapabilities(true, false, false, false);
    }

    /** The daemon request: the CRIU body plus QEMU's downtime limit and bandwidth when the plan sets them. */
    static MigrationRequest body(WorkloadTask t) {
        long downtime = option(t, OPTION_DOWNTIME_LIMIT_MS, 1, 60_000);
        long bandwidth = option(t, OPTION_MAX_BANDWIDTH, 1, Long.MAX_VALUE);
        return new MigrationRequest(t.workload(), t.virtualIp().address(), t.target().name(), t.mode().name(), null,
                downtime > 0 ? downtime : null, bandwidth > 0 ? bandwidth : null);
    }

    /** A whole-number option in [min, max], or -1 when absent. */
    static long option(WorkloadTask t, String key, long min, long max) {
        String v = t.options().getOrDefault(key, "").strip();
        if (v.isEmpty()) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("workload option " + key + " must be a whole number " + min + ".." + max
                + ", not '" + v + "'");
    }

    private Result<OpReport> call(String server, WorkloadTask t, String op, Step step, DriverContext ctx) {
        try {
            return CriuDaemonMover.call(daemons, server, t, op, body(t), step, ctx);
        } catch (IllegalArgumentException e) {
            return Result.failed("plan", e.getMessage());
        }
    }

    @Override
    public Result<Preflight> preflight(WorkloadTask task) {
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (task.mode() == MigrationMode.REPLICATE) {
            problems.add(new Problem(task.source().name(), "driver " + DRIVER_TYPE
                    + " cannot replicate a VM (QEMU hands the guest over, it does not copy it); use MOVE"));
        }
        try {
            body(task);
            option(task, OPTION_MIGRATION_TIMEOUT, 1, 86_400);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem("plan", e.getMessage()));
        }
        String q = "/v1/workloads/" + task.workload() + "/preflight";
        Map<String, String> accelerators = new LinkedHashMap<>();
        for (String server : List.of(task.source().name(), task.target().name())) {
            boolean isSource = server.equals(task.source().name());
            try {
                PreflightAnswer n = daemons.get(server, q, PreflightAnswer.class);
                if (!n.describesVm()) {
                    problems.add(new Problem(server, task.workload() + " is not a VM of this daemon"));
                    continue;
                }
                accelerators.put(server, n.accelerator());
                notes.add(server + ": " + n.accelerator() + " (" + n.acceleratorReason() + ")");
                if (!n.qemuInstalled()) {
                    problems.add(new Problem(server, "QEMU is not installed (qemu-system-x86_64)"));
                }
                if (!n.imagePresent()) {
                    problems.add(new Problem(server, "the VM image (kernel, initrd) is missing"));
                }
                if (isSource && !(n.found() && !n.state().stoppedHere())) {
                    problems.add(new Problem(server, "VM " + task.workload() + " is not running"
                            + (n.status() != null ? " (" + n.status() + ")" : "")));
                }
                if (!isSource && n.found()) {
                    problems.add(new Problem(server, "a QEMU of VM " + task.workload() + " already runs at the target ("
                            + n.status() + ")"));
                }
            } catch (DaemonClient.DaemonException e) {
                problems.add(new Problem(server, e.getMessage()));
            }
        }
        if (accelerators.size() == 2 && accelerators.values().stream().distinct().count() > 1) {
            problems.add(new Problem(task.target().name(), "accelerators differ " + accelerators
                    + ": a guest cannot move between them"));
        }
        return Result.ok(new Preflight(problems, notes, DEFAULT_EXPECTED));
    }

    /** A no-op at the daemon, kept for the record: the guest runs until QEMU's last pass. */
    @Override
    public Result<OpReport> freeze(WorkloadTask task, DriverContext context) {
        return call(task.source().name(), task, "freeze", Step.S703, context);
    }

    @Override
    public Result<OpReport> migrate(WorkloadTask task, DriverContext context) {
        long timeout;
        MigrationRequest body;
        try {
            body = body(task);
            timeout = option(task, OPTION_MIGRATION_TIMEOUT, 1, 86_400);
        } catch (IllegalArgumentException e) {
            return Result.failed("plan", e.getMessage());
        }
        Instant start = Instant.now();
        Instant deadline = start.plusSeconds(timeout > 0 ? timeout : DEFAULT_MIGRATION_TIMEOUT_SECONDS);
        String source = task.source().name();
        context.progress("live migration of VM " + task.workload() + " from " + source + " to " + task.target().name());
        String last = "";
        DaemonClient atEpoch = daemons.withEpoch(context.epoch());
        try {
            while (true) {
                Optional<String> fenced = context.fenced();
                if (fenced.isPresent()) {
                    return Result.failed(source, "S704 migrate not sent: " + fenced.get());
                }
                OperationAnswer n = atEpoch.post(source, CriuDaemonMover.path(task, "migrate"), body, OperationAnswer.class);
                if (n.finished()) {
                    Map<String, String> meas = new LinkedHashMap<>(n.measured());
                    long completed = System.nanoTime();
                    Optional<String> notReady = awaitDestination(task, deadline);
                    if (notReady.isPresent()) {
                        String why = "S704 migrate: QEMU at " + source + " completed the migration, but at "
                                + task.target().name() + " " + notReady.get();
                        context.operation(task.target().name(), "migrate", start, Instant.now(), "failed: " + why);
                        return Result.failed(task.target().name(), why);
                    }
                    meas.put("destination_ready_wait_ms", Long.toString((System.nanoTime() - completed) / 1_000_000));
                    String summary = "S704 " + n.summary() + " (QEMU: total "
                            + meas.getOrDefault("qemu_total_ms", "?") + " ms, downtime "
                            + meas.getOrDefault("qemu_downtime_ms", "?") + " ms)";
                    context.operation(source, "migrate", start, Instant.now(), summary);
                    return Result.ok(new OpReport(summary, meas));
                }
                String p = progress(n);
                if (!p.equals(last)) {
                    context.progress(p);
                    last = p;
                }
                if (Instant.now().isAfter(deadline)) {
                    context.operation(source, "migrate", start, Instant.now(), "failed: not finished in time");
                    return Result.failed(source, "S704 migrate: VM migration not finished within "
                            + Duration.between(start, deadline).toSeconds() + " s (" + p + ")");
                }
            }
        } catch (DaemonClient.DaemonException e) {
            context.operation(source, "migrate", start, Instant.now(), "failed: " + e.getMessage());
            return Result.failed(source, "S704 migrate: " + e.getMessage());
        }
    }

    /**
     * S704 ends when the target's copy is one: QEMU's source reports "completed" once it has sent
     * everything, a few milliseconds before the destination has loaded it and left "inmigrate" for
     * "paused" (the daemon's resume waits for that too), and until then {@link #state} rightly sees
     * no copy at the target. Empty when the destination waits, paused, for S710; else why not.
     */
    private Optional<String> awaitDestination(WorkloadTask task, Instant deadline) {
        String q = "/v1/workloads/" + task.workload() + "/state";
        try {
            while (true) {
                Optional<String> notReady = notReady(daemons.get(task.target().name(), q, WorkloadStateAnswer.class));
                if (!notReady.equals(Optional.of(LOADING)) || Instant.now().isAfter(deadline)) {
                    return notReady;
                }
                Thread.sleep(2);
            }
        } catch (DaemonClient.DaemonException e) {
            return Optional.of("its daemon did not say whether the destination is ready: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("the wait for the destination was interrupted");
        }
    }

    static final String LOADING = "the destination is still loading the guest (inmigrate)";

    /** Why a destination is not a copy S710 can run: {@link #LOADING} while it receives; empty when paused. */
    static Optional<String> notReady(WorkloadStateAnswer t) {
        if (t.incoming()) {
            return Optional.of(LOADING);
        }
        if (!t.found()) {
            return Optional.of("no destination QEMU is there");
        }
        return t.stoppedHere() ? Optional.empty() : Optional.of("the destination is " + t.status() + ", not paused");
    }

    /** "RAM 40 of 135 MB sent (active, 1.2 s)". */
    static String progress(OperationAnswer m) {
        long sent = m.number("ram_transferred_bytes");
        long total = m.number("ram_total_bytes");
        return String.format(java.util.Locale.ROOT, "RAM %d of %d MB sent (%s, %.1f s)", sent >> 20, total >> 20,
                m.measured().getOrDefault("status", "?"), m.number("elapsed_ms") / 1000.0);
    }

    /** Not supported (capabilities): the address travels inside the guest. Plan validation refuses it. */
    @Override
    public Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context) {
        return Result.ok(OpReport.of("S705 not needed: the virtual IP travels inside the guest"));
    }

    /** The destination runs ({@code cont}), then the stopped source QEMU exits. */
    @Override
    public Result<OpReport> resume(WorkloadTask task, DriverContext context) {
        return CriuDaemonMover.resumeThenRelease(() -> call(task.target().name(), task, "resume", Step.S710, context),
                () -> call(task.source().name(), task, "release", Step.S710, context));
    }

    @Override
    public Result<OpReport> announce(WorkloadTask task, DriverContext context) {
        return call(task.target().name(), task, "announce", Step.S711, context);
    }

    /** The source first (cancel, then run again), so the guest never stays stopped; then the destination goes. */
    @Override
    public Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context) {
        Result<OpReport> source = call(task.source().name(), task, "rollback", reached, context);
        Result<OpReport> target = call(task.target().name(), task, "discard", reached, context);
        if (!source.isOk()) {
            return source;
        }
        return target.isOk() ? Result.ok(OpReport.of("rolled back from " + reached + ": "
                + source.orElseThrow().summary())) : target;
    }

    @Override
    public Result<WorkloadState> state(WorkloadTask task) {
        String q = "/v1/workloads/" + task.workload() + "/state";
        try {
            WorkloadStateAnswer s = daemons.get(task.source().name(), q, WorkloadStateAnswer.class);
            WorkloadStateAnswer t = daemons.get(task.target().name(), q, WorkloadStateAnswer.class);
            // a destination still receiving is not a copy yet
            boolean dstFound = t.found() && !t.incoming();
            return Result.ok(CriuDaemonMover.stateOf(s.found(), s.stoppedHere(), dstFound, t.stoppedHere()));
        } catch (DaemonClient.DaemonException e) {
            return Result.failed(e.server(), e.getMessage());
        }
    }
}
