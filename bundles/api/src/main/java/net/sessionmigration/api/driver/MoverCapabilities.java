package net.sessionmigration.api.driver;

/**
 * What a workload mover can do; plan validation refuses what the driver cannot.
 *
 * @param canFreeze            S703/S709/S710 are supported (the target copy waits for resume)
 * @param canReplicate         REPLICATE is supported (both copies run afterwards)
 * @param canMoveVirtualIp     S705 is supported; false when the address travels inside the workload
 */
public record MoverCapabilities(boolean canFreeze, boolean canReplicate, boolean canMoveVirtualIp) {
}
