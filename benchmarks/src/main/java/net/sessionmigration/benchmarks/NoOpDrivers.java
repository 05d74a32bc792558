package net.sessionmigration.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.model.WorkloadState;

/** Drivers that answer at once, so that what is measured is the coordinator alone. */
final class NoOpDrivers {
    private static final Result<OpReport> OK = Result.ok(OpReport.of("ok"));

    private NoOpDrivers() {
    }

    static final class Mover implements WorkloadMover {
        @Override
        public MoverCapabilities capabilities() {
            return new MoverCapabilities(true, true, true);
        }

        @Override
        public Result<Preflight> preflight(WorkloadTask task) {
            return Result.ok(Preflight.go(Duration.ZERO));
        }

        @Override
        public Result<OpReport> freeze(WorkloadTask task, DriverContext context) {
            return OK;
        }

        @Override
        public Result<OpReport> migrate(WorkloadTask task, DriverContext context) {
            return OK;
        }

        @Override
        public Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context) {
            return OK;
        }

        @Override
        public Result<OpReport> resume(WorkloadTask task, DriverContext context) {
            return OK;
        }

        @Override
        public Result<OpReport> announce(WorkloadTask task, DriverContext context) {
            return OK;
        }

        @Override
        public Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context) {
            return OK;
        }

        @Override
        public Result<WorkloadState> state(WorkloadTask task) {
            return Result.ok(WorkloadState.RUNNING_AT_SOURCE);
        }
    }

    static final class Switcher implements AccessPortSwitcher {
        @Override
        public Result<Preflight> preflight(List<PortMove> moves) {
            return Result.ok(Preflight.go(Duration.ZERO));
        }

        @Override
        public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
            return Result.ok(Map.of());
        }

        @Override
        public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
            return OK;
        }

        @Override
        public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
            return OK;
        }
    }
}
