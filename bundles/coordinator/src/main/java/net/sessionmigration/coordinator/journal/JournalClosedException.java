package net.sessionmigration.coordinator.journal;

/**
 * A write reached a journal that is closed (the coordinator is stopping or crashed) or that may no
 * longer write (a cluster member that lost its leadership or its ZooKeeper session). The migration
 * that tried must stop where it is, so that the next start, or the next leader, recovers it.
 */
public final class JournalClosedException extends RuntimeException {
    public JournalClosedException() {
        this("journal closed");
    }

    public JournalClosedException(String why) {
        super(why, null, false, false);
    }
}
