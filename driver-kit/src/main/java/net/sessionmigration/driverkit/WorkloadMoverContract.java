package net.sessionmigration.driverkit;

import static net.sessionmigration.driverkit.Failures.assertCarriesDeviceAndCause;
import static net.sessionmigration.driverkit.Failures.failed;
import static net.sessionmigration.driverkit.Failures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;

/**
 * What the coordinator relies on from every {@link WorkloadMover}: the steps in the coordinator's
 * order (S703 freeze if the task freezes, S704 migrate, S705 move the virtual IP if the task moves
 * it, the session check if the driver declares it, S710 resume if frozen, announce), the state
 * after each, and a rollback that can be repeated. Extend it in your driver's tests:
 *
 * <pre>{@code
 * class MyMoverContractTest extends WorkloadMoverContract {
 *     protected WorkloadMover mover() { return new MyMover(LAB_CONFIG); }
 *     protected WorkloadTask task() { return new WorkloadTask("m1", "web", SRC, DST, VIP, MigrationMode.MOVE, true, true, Map.of()); }
 * }
 * }</pre>
 *
 * The kit calls {@link #mover()} and {@link #task()} once before each test; the task's workload
 * must run at its source then. Override {@link #failNextMigrate()} when the driver can be made to
 * fail a migrate; the test that needs it is skipped otherwise.
 */
public abstract class WorkloadMoverContract {

    /** A fresh driver under test. */
    protected abstract WorkloadMover mover();

    /** A task the mover can run end to end; its workload runs at the source when the test starts. */
    protected abstract WorkloadTask task();

    /** Something that makes the next migrate fail (a target that refuses the copy…), or empty. */
    protected Optional<Runnable> failNextMigrate() {
        return Optional.empty();
    }

    /**
     * The state right after S703 freeze: the workload stopped at its source. A mover whose S704
     * stops the workload itself (the CRIU daemons, right before the dump; a VM's hypervisor, for the
     * last pass) overrides this with {@link WorkloadState#RUNNING_AT_SOURCE}; recovery treats
     * both alike.
     */
    protected WorkloadState stateAfterFreeze() {
        return WorkloadState.FROZEN_AT_SOURCE;
    }

    /** The context the kit hands to every step. */
    protected DriverContext context() {
        return DriverContext.detached("driver-kit");
    }

    private WorkloadMover mover;
    private WorkloadTask task;

    @BeforeEach
    final void createMoverAndTask() {
        mover = mover();
        task = task();
        assertNotNull(mover, "mover() returned null");
        assertNotNull(task, "task() returned null");
        assertEquals(WorkloadState.RUNNING_AT_SOURCE, ok(mover.state(task), "state before anything"),
                "task()'s workload " + task.workload() + " should run at its source " + task.source().name()
                        + " when a test starts");
    }

    @Test
    void capabilitiesAreDeclaredAndCoverTheTask() {
        MoverCapabilities caps = mover.capabilities();
        assertNotNull(caps, "capabilities() returned null");
        assertTrue(!task.freeze() || caps.canFreeze(), "task() freezes, but capabilities() say canFreeze=false");
        assertTrue(!task.moveVirtualIp() || caps.canMoveVirtualIp(),
                "task() moves the virtual IP, but capabilities() say canMoveVirtualIp=false");
        assertTrue(task.mode() != MigrationMode.REPLICATE || caps.canReplicate(),
                "task() is REPLICATE, but capabilities() say canReplicate=false");
    }

    @Test
    void preflightOfAGoodTaskIsGo() {
        Preflight pf = ok(mover.preflight(task), "preflight of " + task.workload());
        assertTrue(pf.go(), "preflight of a task the mover can run found " + pf.problems());
    }

    @Test
    void theWholeSequenceEndsRunningAtTheTarget() {
        if (task.freeze()) {
            ok(mover.freeze(task, context()), "S703 freeze");
            assertState(stateAfterFreeze(), "after S703 freeze");
        }
        ok(mover.migrate(task, context()), "S704 migrate");
        if (task.freeze()) {
            assertState(WorkloadState.READY_AT_TARGET, "after S704 migrate of a frozen workload");
        }
        if (task.moveVirtualIp()) {
            ok(mover.moveVirtualIp(task, context()), "S705 moveVirtualIp");
        }
        if (mover.capabilities().checksSessions()) {
            ok(mover.checkSessions(task, context()), "checkSessions (S708)");
        }
        if (task.freeze()) {
            ok(mover.resume(task, context()), "S710 resume");
        }
        ok(mover.announce(task, context()), "announce");
        assertState(task.mode() == MigrationMode.REPLICATE ? WorkloadState.RUNNING_AT_BOTH
                : WorkloadState.RUNNING_AT_TARGET, "after the whole " + task.mode() + " sequence");
    }

    @Test
    void rollbackAfterMigrateRunsAtTheSourceAgain() {
        freezeAndMigrate();
        ok(mover.rollback(task, Step.S704, context()), "rollback from S704");
        assertState(WorkloadState.RUNNING_AT_SOURCE, "after rollback from S704");
    }

    @Test
    void rollbackIsIdempotent() {
        freezeAndMigrate();
        ok(mover.rollback(task, Step.S704, context()), "rollback from S704");
        ok(mover.rollback(task, Step.S704, context()), "a second rollback (a coordinator restarted during the first)");
        assertState(WorkloadState.RUNNING_AT_SOURCE, "after two rollbacks");
    }

    @Test
    void failedMigrateCarriesDeviceAndCauseAndRollsBack() {
        Optional<Runnable> fault = failNextMigrate();
        assumeTrue(fault != null && fault.isPresent(), "failNextMigrate() is empty: the driver cannot be made to"
                + " fail a migrate, so this test cannot run");
        if (task.freeze()) {
            ok(mover.freeze(task, context()), "S703 freeze");
        }
        fault.get().run();
        Problem p = failed(mover.migrate(task, context()), "S704 migrate with the fault injected");
        assertCarriesDeviceAndCause(p, "a failed migrate");
        ok(mover.rollback(task, Step.S704, context()), "rollback after the failed migrate");
        assertState(WorkloadState.RUNNING_AT_SOURCE, "after rollback of a failed migrate");
    }

    private void freezeAndMigrate() {
        if (task.freeze()) {
            ok(mover.freeze(task, context()), "S703 freeze");
        }
        ok(mover.migrate(task, context()), "S704 migrate");
    }

    private void assertState(WorkloadState expected, String when) {
        assertEquals(expected, ok(mover.state(task), "state " + when), "state() " + when);
    }
}
