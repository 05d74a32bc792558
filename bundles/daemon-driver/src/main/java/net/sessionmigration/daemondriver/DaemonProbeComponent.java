package net.sessionmigration.daemondriver;

import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;

/**
 * DS wrapper of {@link DaemonProbe}: the same configuration as the {@code criu-daemon} driver
 * (one {@code servers} list for servers and probe hosts, one client certificate).
 */
@Component(service = ReachabilityProbe.class, configurationPolicy = ConfigurationPolicy.REQUIRE,
        configurationPid = DaemonDriverComponent.PID,
        property = {"driver.type=" + DaemonProbe.DRIVER_TYPE, "vendor=session-migration"})
public class DaemonProbeComponent implements ReachabilityProbe {
    private static final Logger LOG = Logger.getLogger(DaemonDriverComponent.PID);

    private volatile DaemonProbe probe;

    @Activate
    @Modified
    void configure(DaemonDriverComponent.Config c) throws Exception {
        probe = new DaemonProbe(DaemonDriverComponent.client(c));
        LOG.info("daemon-probe driver configured for daemons "
                + DaemonDriverComponent.parseServers(c.servers()).keySet()); // never the passwords
    }

    @Override
    public Result<Preflight> preflight(ProbeTask task) {
        return probe.preflight(task);
    }

    @Override
    public Result<OpReport> probe(ProbeTask task, DriverContext context) {
        return probe.probe(task, context);
    }
}
