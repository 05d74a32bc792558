package net.sessionmigration.api.service;

/** Where a session migration stands. */
public enum MigrationState {
    RUNNING,
    /** Every step done; the users reach the workload at the target. */
    SUCCEEDED,
    ROLLING_BACK,
    /** A step failed or the operator aborted; the workload runs at the source, users are back. */
    ROLLED_BACK,
    /** Rollback itself failed: the history says what is left for the operator to do. */
    FAILED;

    public boolean finished() {
        return this == SUCCEEDED || this == ROLLED_BACK || this == FAILED;
    }
}
