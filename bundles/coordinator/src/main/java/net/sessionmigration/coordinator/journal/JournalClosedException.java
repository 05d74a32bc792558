package net.sessionmigration.coordinator.journal;

/**
 * A write reached a journal that is closed (the coordinator is stopping or crashed). The
 * migration that tried must stop where it is, so that the next start recovers it.
 */
public final class JournalClosedException extends RuntimeException {
    public JournalClosedException() {
        super("journal closed", null, false, false);
    }
}
