package net.sessionmigration.simulated;

import java.time.Duration;

import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.driverkit.ReachabilityProbeContract;

/** The simulated probe against the driver kit; probe host {@code probe-down} is listed in {@code fail}. */
class SimulatedProbeContractTest extends ReachabilityProbeContract {

    @Override
    protected ReachabilityProbe probe() {
        SimulatedProbe probe = new SimulatedProbe();
        probe.configure(Configs.probe("probe-down"));
        return probe;
    }

    @Override
    protected ProbeTask reachableTask() {
        return new ProbeTask("m1", "probe-1", new VirtualIp("10.0.0.80"), 80, Duration.ofSeconds(1));
    }

    @Override
    protected ProbeTask unreachableTask() {
        return new ProbeTask("m1", "probe-down", new VirtualIp("10.0.0.80"), 80, Duration.ofSeconds(1));
    }
}
