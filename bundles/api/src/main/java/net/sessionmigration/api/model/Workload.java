package net.sessionmigration.api.model;

import java.util.Map;

/**
 * The running service to move, the driver that moves it, where from and where to.
 *
 * @param freeze         run S703 (freeze) and S709/S710 (resume after the switch)
 * @param moveVirtualIp  run S705; false when the address travels inside the workload (a VM)
 * @param options        driver-specific settings (for example a migration downtime limit)
 */
public record Workload(String name, String driverType, String source, String target,
                       boolean freeze, boolean moveVirtualIp, Map<String, String> options) {
    public Workload {
        Names.require("workload name", name);
        Names.require("driver type", driverType);
        Names.require("source server", source);
        Names.require("target server", target);
        options = Map.copyOf(options);
    }
}
