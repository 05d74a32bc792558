package net.sessionmigration.api.service;

/** How one step of the sequence ended. */
public enum StepOutcome {
    DONE,
    /** Optional step not taken by this plan (no freeze, no VIP move). */
    SKIPPED,
    FAILED,
    /** Undone by a rollback. */
    UNDONE,
    /** Started, end not yet known. */
    IN_PROGRESS
}
