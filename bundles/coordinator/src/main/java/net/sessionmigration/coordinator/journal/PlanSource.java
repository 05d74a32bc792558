package net.sessionmigration.coordinator.journal;

/** The exact plan a migration ran (file name and text), so recovery does not depend on the file today. */
public record PlanSource(String file, String json) {
}
