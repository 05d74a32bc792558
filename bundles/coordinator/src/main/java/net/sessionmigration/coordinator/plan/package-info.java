/** Plan files: JSON parsing, validation that collects every error, and the watched plan folder. */
package net.sessionmigration.coordinator.plan;
