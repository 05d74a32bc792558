package net.sessionmigration.qmp;

/**
 * The answer of {@code query-status}.
 *
 * @param status  QEMU's run state: {@code running}, {@code paused}, {@code inmigrate},
 *                {@code postmigrate}, {@code finish-migrate}, {@code prelaunch}, ...
 * @param running whether the vCPUs run
 */
public record VmStatus(String status, boolean running) {
}
