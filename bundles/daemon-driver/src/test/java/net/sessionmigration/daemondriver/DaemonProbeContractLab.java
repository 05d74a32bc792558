package net.sessionmigration.daemondriver;

import java.time.Duration;

import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.driverkit.ReachabilityProbeContract;

/**
 * The driver contract kit against {@link DaemonProbe} and the lab's real probe host: the daemon
 * probe1 in sm-probe, a user on switch 1 (the main site's VLAN), connects to the virtual IP from
 * the users' side, as the probe-verified commit has it do. Proves that its preflight reaches the
 * probe host, that a connect that succeeds carries its time, and that one that cannot succeed
 * fails within its timeout naming probe1 or the address.
 *
 * <p>Reachable: v:{@code TEST_SERVICE_PORT}, the stream at main-srv (the lab reset first, in
 * {@link #probe()}, as daemon-system-test.sh resets it: {@link LabStream}). Unreachable:
 * v:{@value #CLOSED_PORT}, on which nothing listens in either server namespace (checked before the
 * test), so the connect is refused. Needs the lab's probe host ({@code TEST_CTL_PROBE}); run by
 * lab/tests/daemon-system-test.sh, not by Maven.
 */
class DaemonProbeContractLab extends ReachabilityProbeContract {
    /** A port nothing in the lab listens on (the lab's services are 7000-7004, the daemons 7443-7444). */
    static final int CLOSED_PORT = 7009;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final LabStream stream = LabStream.fromEnvironment();

    /** Resets the lab (the stream at main-srv), then a probe on a client of the daemons and probe1. */
    @Override
    protected ReachabilityProbe probe() {
        DaemonClient daemons = LabDaemons.clientWithProbe(Duration.ofSeconds(30));
        stream.reset(daemons);
        return new DaemonProbe(daemons);
    }

    @Override
    protected ProbeTask reachableTask() {
        return new ProbeTask("kit-probe", LabDaemons.PROBE, new VirtualIp(stream.vip), stream.servicePort, TIMEOUT);
    }

    @Override
    protected ProbeTask unreachableTask() {
        for (String ns : new String[] {stream.sourceNamespace, stream.targetNamespace}) {
            String listening = LabStream.sh(true, "ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :" + CLOSED_PORT).strip();
            if (!listening.isEmpty()) {
                throw new IllegalStateException("port " + CLOSED_PORT + " is not closed in " + ns + ": " + listening);
            }
        }
        return new ProbeTask("kit-probe", LabDaemons.PROBE, new VirtualIp(stream.vip), CLOSED_PORT, TIMEOUT);
    }
}
