package net.sessionmigration.api.driver;

import java.time.Duration;

import net.sessionmigration.api.model.Names;
import net.sessionmigration.api.model.VirtualIp;

/**
 * One user-side reachability probe: from the probe host, open a TCP connection to
 * {@code address:port} within {@code timeout}.
 *
 * @param probeHost the probe host as the plan names it; the driver's configuration says how to reach it
 * @param address   the plan's virtual IP
 */
public record ProbeTask(String migrationId, String probeHost, VirtualIp address, int port, Duration timeout) {
    public ProbeTask {
        Names.require("probe host", probeHost);
        if (address == null) {
            throw new IllegalArgumentException("a probe needs an address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("probe port " + port + " is outside 1-65535");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a probe needs a positive timeout");
        }
    }
}
