package net.sessionmigration.simulated;

import java.util.Map;
import java.util.Optional;

import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.driverkit.WorkloadMoverContract;

/** The simulated mover against the driver kit, moving a frozen workload and its virtual IP. */
class SimulatedMoverContractTest extends WorkloadMoverContract {
    private SimulatedMover mover;

    @Override
    protected WorkloadMover mover() {
        mover = new SimulatedMover();
        mover.configure(Configs.mover(""));
        return mover;
    }

    @Override
    protected WorkloadTask task() {
        return new WorkloadTask("m1", "web", new Server("main-1", "main"), new Server("backup-1", "backup"),
                new VirtualIp("10.0.0.80"), MigrationMode.MOVE, true, true, Map.of());
    }

    @Override
    protected Optional<Runnable> failNextMigrate() {
        return Optional.of(() -> mover.configure(Configs.mover("migrate")));
    }
}
