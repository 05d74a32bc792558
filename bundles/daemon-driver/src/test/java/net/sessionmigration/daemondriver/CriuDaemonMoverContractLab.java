package net.sessionmigration.daemondriver;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;

import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.driverkit.WorkloadMoverContract;

/**
 * The driver contract kit against {@link CriuDaemonMover} and the lab's real daemons: the stream
 * (smstream, checkpointed and restored by CRIU) moved from main-srv to bak-srv through both
 * daemons over mutual TLS, frozen, with its virtual IP, as DaemonScenario's {@code move} moves it.
 * Proves on a real process what the kit proves on the simulated mover: the state after each step
 * of the coordinator's sequence (the session check included: this driver declares it), a
 * rollback after S704 that runs the source again and can be repeated, and a failed S704 that
 * names the server and the cause, then rolls back.
 *
 * <p>Before each test, in {@link #mover()} (the kit calls it first), the lab is reset as
 * daemon-system-test.sh resets it ({@link LabStream}): the stream runs at main-srv, nothing at
 * bak-srv, the virtual IP at main-srv only. {@link #failNextMigrate()}: the stream's port is taken
 * in bak-srv's namespace ({@link PortTaken}), so CRIU cannot restore the stream's listening
 * socket there; the target's restore fails, and with it S704 (lab/tests/fault-test's
 * criu-restore-fails, without Karaf). The port is freed after the test.
 *
 * <p>Needs the lab: lab/tests/daemon-system-test.sh runs it with
 * {@link net.sessionmigration.driverkit.ContractRunner}; Maven does not (its name matches no
 * surefire or failsafe pattern).
 */
class CriuDaemonMoverContractLab extends WorkloadMoverContract {
    private static final AtomicInteger TESTS = new AtomicInteger();

    private final LabStream stream = LabStream.fromEnvironment();
    private PortTaken taken;

    /** Resets the lab (the stream at main-srv only), then a mover on a client of both daemons. */
    @Override
    protected WorkloadMover mover() {
        DaemonClient daemons = LabDaemons.client(Duration.ofSeconds(60));
        stream.reset(daemons);
        return new CriuDaemonMover(daemons);
    }

    @Override
    protected WorkloadTask task() {
        return new WorkloadTask("kit-criu-" + System.currentTimeMillis() + "-" + TESTS.incrementAndGet(),
                LabStream.WORKLOAD, new Server(LabDaemons.MAIN, "main"), new Server(LabDaemons.BACKUP, "backup"),
                new VirtualIp(stream.vip), MigrationMode.MOVE, true, true, Map.of());
    }

    /** S703 only prepares (the target's page server and hold); S704 stops the stream for the dump. */
    @Override
    protected WorkloadState stateAfterFreeze() {
        return WorkloadState.RUNNING_AT_SOURCE;
    }

    /** The stream's port taken at the target: CRIU's restore of its listening socket fails there. */
    @Override
    protected Optional<Runnable> failNextMigrate() {
        return Optional.of(() -> taken = PortTaken.in(stream.targetNamespace, stream.servicePort));
    }

    @AfterEach
    void freeThePort() {
        if (taken != null) {
            taken.close();
        }
    }
}
