package net.sessionmigration.driverkit;

import static net.sessionmigration.driverkit.Failures.assertCarriesDeviceAndCause;
import static net.sessionmigration.driverkit.Failures.failed;
import static net.sessionmigration.driverkit.Failures.mentions;
import static net.sessionmigration.driverkit.Failures.ok;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;

/**
 * What the coordinator relies on from every {@link ReachabilityProbe}: a probe that succeeds with
 * its connect time, and a failure that says why and names the probe host or the address. Extend it:
 *
 * <pre>{@code
 * class MyProbeContractTest extends ReachabilityProbeContract {
 *     protected ReachabilityProbe probe() { return new MyProbe(LAB_CONFIG); }
 *     protected ProbeTask reachableTask() { return new ProbeTask("m1", "probe1", new VirtualIp("10.0.0.5"), 80, Duration.ofSeconds(2)); }
 *     protected ProbeTask unreachableTask() { return new ProbeTask("m1", "probe1", new VirtualIp("10.0.0.6"), 80, Duration.ofSeconds(2)); }
 * }
 * }</pre>
 */
public abstract class ReachabilityProbeContract {

    /** A fresh driver under test. */
    protected abstract ReachabilityProbe probe();

    /** A probe whose host answers and whose address accepts the connection. */
    protected abstract ProbeTask reachableTask();

    /** A probe that cannot connect (address down, port closed, probe host down…). */
    protected abstract ProbeTask unreachableTask();

    /** The context the kit hands to probe. */
    protected DriverContext context() {
        return DriverContext.detached("driver-kit");
    }

    private ReachabilityProbe probe;

    @BeforeEach
    final void createProbe() {
        probe = probe();
        assertNotNull(probe, "probe() returned null");
    }

    @Test
    void preflightIsGoForAReachableProbeHost() {
        ProbeTask task = reachableTask();
        Preflight pf = ok(probe.preflight(task), "preflight of probe host " + task.probeHost());
        assertTrue(pf.go(), "probe host " + task.probeHost() + " answers, yet preflight found " + pf.problems());
    }

    @Test
    void probeOfAReachableAddressSucceedsWithItsConnectTime() {
        ProbeTask task = reachableTask();
        OpReport report = ok(probe.probe(task, context()), "probe " + target(task));
        String us = report.measurements().get("connect_us");
        assertNotNull(us, "a successful probe carries its connect time as measurement connect_us: " + report);
        assertTrue(assertDoesNotThrow(() -> Long.parseLong(us), "connect_us is a number of microseconds: " + us) >= 0,
                "connect_us is not negative: " + us);
    }

    @Test
    void probeOfAnUnreachableAddressFailsNamingTheHostOrAddressWithinItsTimeout() {
        ProbeTask task = unreachableTask();
        Duration limit = task.timeout().multipliedBy(2).plusSeconds(5);
        Problem p = failed(assertTimeoutPreemptively(limit, () -> probe.probe(task, context()),
                "a probe with timeout " + task.timeout().toMillis() + " ms should answer within " + limit.toSeconds() + " s"),
                "probe " + target(task) + " (unreachable)");
        assertCarriesDeviceAndCause(p, "a failed probe");
        assertTrue(mentions(p.toString(), task.probeHost()) || p.toString().contains(task.address().address()),
                "the problem should name probe host " + task.probeHost() + " or address " + task.address() + ": " + p);
    }

    private static String target(ProbeTask task) {
        return "from " + task.probeHost() + " to " + task.address() + ":" + task.port();
    }
}
