/** The crash-safe journal (H2 MVStore): migration records, the plans they ran, backup-active flags. */
package net.sessionmigration.coordinator.journal;
