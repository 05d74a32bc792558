package net.sessionmigration.api.driver;

import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;

/**
 * Checks from the users' side that the virtual IP answers: the coordinator calls it after the
 * users' ports moved (S708) and before the workload resumes, and rolls back when it fails.
 * A probe host sits on a user access port that moves with the users, so a success proves the
 * whole path user VLAN → new site → {@code v:port}.
 */
public interface ReachabilityProbe {

    /** The probe host answers and accepts our credentials. */
    Result<Preflight> preflight(ProbeTask task);

    /**
     * Connect once from the probe host. Success carries the connect time ({@code connect_us});
     * failure says why in words (refused, timed out, no route…) and names the probe host.
     */
    Result<OpReport> probe(ProbeTask task, DriverContext context);
}
