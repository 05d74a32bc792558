package net.sessionmigration.api.service;

import java.util.List;

/**
 * A driver type known to the coordinator, either because a driver service is installed or
 * because a plan asks for it.
 *
 * @param capability {@code workload-mover} or {@code access-port-switcher}
 * @param vendor     empty when not installed
 * @param plans      the plans that use this driver type
 * @param notUsed    other installed services of this type and capability, which plans do not use
 *                   (the used one has the highest {@code service.ranking}, then the lowest {@code service.id})
 */
public record DriverStatus(String driverType, String capability, boolean installed, String vendor,
                           List<String> plans, List<String> notUsed) {
    public DriverStatus {
        plans = List.copyOf(plans);
        notUsed = notUsed == null ? List.of() : List.copyOf(notUsed);
    }

    /** A driver type with at most one installed service. */
    public DriverStatus(String driverType, String capability, boolean installed, String vendor, List<String> plans) {
        this(driverType, capability, installed, vendor, plans, List.of());
    }
}
