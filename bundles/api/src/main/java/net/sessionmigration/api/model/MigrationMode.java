package net.sessionmigration.api.model;

/** How a plan moves its workload. */
public enum MigrationMode {
    /** The workload leaves the source; every listed user follows it to the target. */
    MOVE,
    /** The seed's load case: both copies run afterwards; only users near the backup site move. */
    REPLICATE
}
