package net.sessionmigration.coordinator;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

/** A workload mover that logs every call into a shared list and can fail or hold any operation. */
final class FakeMover implements WorkloadMover {
    final List<String> log;
    volatile MoverCapabilities capabilities = new MoverCapabilities(true, true, true);
    final Set<String> failOn = ConcurrentHashMap.newKeySet();
    final Map<String, Gate> gates = new ConcurrentHashMap<>();
    volatile WorkloadState state = WorkloadState.RUNNING_AT_SOURCE;
    volatile Step rolledBackFrom;
    volatile java.time.Duration expected = java.time.Duration.ofMillis(100);

    FakeMover(List<String> log) {
        this.log = log;
    }

    Gate hold(String op) {
        Gate g = new Gate();
        gates.put(op, g);
        return g;
    }

    private Result<OpReport> op(String op, WorkloadState after) {
        log.add("mover:" + op);
        Gate g = gates.get(op);
        if (g != null) {
            g.pass();
        }
        if (failOn.contains(op)) {
            return Result.failed("backup-srv", op + " broke");
        }
        if (after != null) {
            state = after;
        }
        return Result.ok(OpReport.of(op + " ok"));
    }

    @Override
    public MoverCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public Result<Preflight> preflight(WorkloadTask task) {
        Result<OpReport> r = op("preflight", null);
        if (!r.isOk()) {
            return Result.ok(new Preflight(List.of(new Problem("main-srv", "daemon not ready")), List.of(),
                    expected));
        }
        return Result.ok(Preflight.go(expected, "criu 4.2.1"));
    }

    @Override
    public Result<OpReport> freeze(WorkloadTask task, DriverContext context) {
        return op("freeze", WorkloadState.FROZEN_AT_SOURCE);
    }

    @Override
    public Result<OpReport> migrate(WorkloadTask task, DriverContext context) {
        context.progress("copied 64 of 128 MB");
        Instant t = Instant.now();
        context.operation("main-srv", "criu dump", t, t.plusMillis(1), "ok");
        return op("migrate", task.freeze() ? WorkloadState.READY_AT_TARGET : WorkloadState.RUNNING_AT_TARGET);
    }

    @Override
    public Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context) {
        return op("move-vip", null);
    }

    /** Asked only when {@link #capabilities} say {@code checksSessions}. */
    @Override
    public Result<OpReport> checkSessions(WorkloadTask task, DriverContext context) {
        return op("check-sessions", null);
    }

    @Override
    public Result<OpReport> resume(WorkloadTask task, DriverContext context) {
        return op("resume", task.mode() == MigrationMode.REPLICATE ? WorkloadState.RUNNING_AT_BOTH
                : WorkloadState.RUNNING_AT_TARGET);
    }

    @Override
    public Result<OpReport> announce(WorkloadTask task, DriverContext context) {
        return op("announce", null);
    }

    @Override
    public Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context) {
        rolledBackFrom = reached;
        return op("rollback@" + reached, WorkloadState.RUNNING_AT_SOURCE);
    }

    @Override
    public Result<WorkloadState> state(WorkloadTask task) {
        log.add("mover:state");
        return Result.ok(state);
    }
}
