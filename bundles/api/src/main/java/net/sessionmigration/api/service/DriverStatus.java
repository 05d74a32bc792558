package net.sessionmigration.api.service;

import java.util.List;

/**
 * A driver type known to the coordinator, either because a driver service is installed or
 * because a plan asks for it.
 *
 * @param capability {@code workload-mover} or {@code access-port-switcher}
 * @param vendor     empty when not installed
 * @param plans      the plans that use this driver type
 */
public record DriverStatus(String driverType, String capability, boolean installed, String vendor,
                           List<String> plans) {
    public DriverStatus {
        plans = List.copyOf(plans);
    }
}
