package net.sessionmigration.api.model;

/** Where a workload runs now, as its driver sees it; crash recovery decides from this. */
public enum WorkloadState {
    RUNNING_AT_SOURCE,
    FROZEN_AT_SOURCE,
    /** Restored at the target but not yet resumed; the source copy is stopped or frozen. */
    READY_AT_TARGET,
    RUNNING_AT_TARGET,
    /** REPLICATE done: a copy runs at each site. */
    RUNNING_AT_BOTH,
    NOT_RUNNING
}
