/**
 * Talks to QEMU: a QMP client over QEMU's unix socket ({@link net.sessionmigration.qmp.QmpClient}),
 * typed migration commands, and a launcher that builds a QEMU argument list and decides between
 * KVM and TCG ({@link net.sessionmigration.qmp.QemuLauncher}). A plain library for the daemon;
 * it never touches the network configuration of a host.
 */
package net.sessionmigration.qmp;
