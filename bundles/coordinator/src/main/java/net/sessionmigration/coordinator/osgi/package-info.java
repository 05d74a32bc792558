/** The only OSGi-aware code: the DS component that wires Config Admin and driver services to the coordinator. */
package net.sessionmigration.coordinator.osgi;
