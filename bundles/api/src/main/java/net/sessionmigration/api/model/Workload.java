package net.sessionmigration.api.model;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The running service to move, the driver that moves it, where from and where to.
 *
 * @param freeze         run S703 (freeze) and S709/S710 (resume after the switch)
 * @param moveVirtualIp  run S705; false when the address travels inside the workload (a VM)
 * @param options        driver-specific settings (for example a migration downtime limit)
 * @param maxFreeze      the plan's freeze budget ({@code workload.maxFreezeMs}): a start whose
 *                       estimated freeze window is longer is refused at S702, and dry-run says NO-GO
 */
public record Workload(String name, String driverType, String source, String target,
                       boolean freeze, boolean moveVirtualIp, Map<String, String> options,
                       Optional<Duration> maxFreeze) {
    public Workload {
        Names.require("workload name", name);
        Names.require("driver type", driverType);
        Names.require("source server", source);
        Names.require("target server", target);
        options = Map.copyOf(options);
        maxFreeze = maxFreeze == null ? Optional.empty() : maxFreeze;
    }

    /** A workload without a freeze budget. */
    public Workload(String name, String driverType, String source, String target,
                    boolean freeze, boolean moveVirtualIp, Map<String, String> options) {
        this(name, driverType, source, target, freeze, moveVirtualIp, options, Optional.empty());
    }
}
