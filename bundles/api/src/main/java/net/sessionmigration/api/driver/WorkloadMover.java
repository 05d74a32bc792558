package net.sessionmigration.api.driver;

import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;

/**
 * The seed's "running-server switch control": moves one workload between servers through the
 * migration daemons. The coordinator calls the steps in order S703 (if freezing), S704,
 * S705 (if moving the address), then, after the users' ports have moved, S710 and announce.
 * Every method must be safe to call again after a coordinator crash (idempotent).
 */
public interface WorkloadMover {

    MoverCapabilities capabilities();

    /** Both daemons reachable and authenticated, workload found, target ready. */
    Result<Preflight> preflight(WorkloadTask task);

    /**
     * S703: the workload is to be stopped at the source so that nothing changes while it is copied.
     * A mover may stop it here ({@link #state} then says {@code FROZEN_AT_SOURCE}) or prepare and
     * stop it at the start of S704's copy, so that the users are not frozen for the calls in
     * between (the CRIU daemons stop it right before the dump; a VM's hypervisor stops the guest
     * for its last pass); its {@code state} then says {@code RUNNING_AT_SOURCE} until S704, which
     * recovery treats alike (both roll back). After S704 the source copy is stopped either way.
     */
    Result<OpReport> freeze(WorkloadTask task, DriverContext context);

    /**
     * S704: copy the workload to the target. With freeze the target copy stays stopped until
     * {@link #resume}; in REPLICATE the source copy stays too.
     */
    Result<OpReport> migrate(WorkloadTask task, DriverContext context);

    /** S705: remove the virtual IP at the source (it was added at the target by migrate). */
    Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context);

    /**
     * Commit check in S708, before resume, for movers whose capabilities say
     * {@code checksSessions}: no user connection is wedged (for CRIU: the source copy took no
     * byte after the checkpoint). It must not depend on the users' ports: the coordinator asks it
     * beside their moves once the virtual IP has left the source at S705 (MOVE: nothing reaches
     * the source copy any more), after them otherwise. Nothing may be acknowledged to a user at
     * the target before {@link #resume}, so that a rollback after this check loses nothing. A
     * failure names the user's connection; the coordinator then rolls back, and the source, still
     * held, resumes with every byte.
     */
    default Result<OpReport> checkSessions(WorkloadTask task, DriverContext context) {
        return Result.ok(OpReport.of("this driver does not check sessions"));
    }

    /** S710: run the target copy (and the source copy again in REPLICATE). */
    Result<OpReport> resume(WorkloadTask task, DriverContext context);

    /** Announce the virtual IP from the target (gratuitous ARP, RARP); only after the switch. */
    Result<OpReport> announce(WorkloadTask task, DriverContext context);

    /**
     * Undo everything done up to {@code reached}: the workload runs at the source only, with
     * the virtual IP there, nothing frozen, no copy or temporary image left at the target.
     */
    Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context);

    /** Where the workload runs now. */
    Result<WorkloadState> state(WorkloadTask task);
}
