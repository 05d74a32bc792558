package net.sessionmigration.daemon.protocol;

/**
 * One of a daemon's recent migrations as a source, for the driver's freeze prediction.
 *
 * @param freezeMs      its dump, image transfer and restore ({@code dump_ms + transfer_ms + restore_ms})
 * @param transferUs    the part of it that moved the memory: CRIU writing the pages (into the image
 *                      or to the target's page server, {@code pages_write_us}) plus sending the image
 *                      ({@code transfer_ms})
 * @param residentBytes the workload's resident size when it was dumped ({@code resident_bytes}, VmRSS summed)
 */
public record RecentMigration(long freezeMs, long transferUs, long residentBytes) {
}
