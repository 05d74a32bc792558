/**
 * The session-migration coordinator: holds the plans, runs each one through S701-S711 with
 * drivers resolved at run time, journals every state change before the step it announces, and
 * drives unfinished migrations to a safe end after a restart. Everything here but the {@code osgi}
 * subpackage is plain Java, so tests and benchmarks run it without a framework.
 */
package net.sessionmigration.coordinator;
