package net.sessionmigration.daemondriver;

import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;

import net.sessionmigration.api.driver.WorkloadMover;

/**
 * DS wrapper of {@link QemuDaemonMover} ({@code driver.type=qemu-daemon}). It reads the same
 * configuration as the criu-daemon driver (PID {@code net.sessionmigration.daemon.driver}: the
 * same daemons, the same client certificate), since both talk to the same daemons.
 */
@Component(service = WorkloadMover.class, configurationPolicy = ConfigurationPolicy.REQUIRE,
        configurationPid = DaemonDriverComponent.PID,
        property = {"driver.type=" + QemuDaemonMover.DRIVER_TYPE, "vendor=session-migration"})
public class QemuDaemonDriverComponent extends DelegatingMover {
    private static final Logger LOG = Logger.getLogger(DaemonDriverComponent.PID);

    private volatile QemuDaemonMover mover;

    @Activate
    @Modified
    void configure(DaemonDriverComponent.Config c) throws Exception {
        mover = new QemuDaemonMover(DaemonDriverComponent.client(c));
        LOG.info("qemu-daemon driver configured for servers " + DaemonDriverComponent.parseServers(c.servers()).keySet());
    }

    @Override
    WorkloadMover delegate() {
        return mover;
    }
}
