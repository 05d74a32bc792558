package net.sessionmigration.daemondriver;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;

/** The DS components' common shape: every call goes to the mover built from the current configuration. */
abstract class DelegatingMover implements WorkloadMover {

    abstract WorkloadMover delegate();

    @Override
    public MoverCapabilities capabilities() {
        return delegate().capabilities();
    }

    @Override
    public Result<Preflight> preflight(WorkloadTask task) {
        return delegate().preflight(task);
    }

    @Override
    public Result<OpReport> freeze(WorkloadTask task, DriverContext context) {
        return delegate().freeze(task, context);
    }

    @Override
    public Result<OpReport> migrate(WorkloadTask task, DriverContext context) {
        return delegate().migrate(task, context);
    }

    @Override
    public Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context) {
        return delegate().moveVirtualIp(task, context);
    }

    @Override
    public Result<OpReport> checkSessions(WorkloadTask task, DriverContext context) {
        return delegate().checkSessions(task, context);
    }

    @Override
    public Result<OpReport> resume(WorkloadTask task, DriverContext context) {
        return delegate().resume(task, context);
    }

    @Override
    public Result<OpReport> announce(WorkloadTask task, DriverContext context) {
        return delegate().announce(task, context);
    }

    @Override
    public Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context) {
        return delegate().rollback(task, reached, context);
    }

    @Override
    public Result<WorkloadState> state(WorkloadTask task) {
        return delegate().state(task);
    }
}
