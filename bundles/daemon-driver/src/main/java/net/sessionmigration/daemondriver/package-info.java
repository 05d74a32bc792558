/**
 * The criu-daemon workload mover: drives the migration daemon on the source and the target
 * server over mutual TLS. {@link net.sessionmigration.daemondriver.CriuDaemonMover} holds the
 * logic without OSGi; {@link net.sessionmigration.daemondriver.DaemonDriverComponent} is the
 * DS wrapper that reads Config Admin.
 */
package net.sessionmigration.daemondriver;
