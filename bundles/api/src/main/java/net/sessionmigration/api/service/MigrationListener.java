package net.sessionmigration.api.service;

/** Receives the live events of migrations; called on the migration's own thread, so return quickly. */
@FunctionalInterface
public interface MigrationListener {
    void onEvent(MigrationEvent event);
}
