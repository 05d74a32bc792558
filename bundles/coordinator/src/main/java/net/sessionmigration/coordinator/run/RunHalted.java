package net.sessionmigration.coordinator.run;

/** The coordinator is stopping: the run takes no further step and writes nothing more. */
public final class RunHalted extends RuntimeException {
    public RunHalted() {
        super("coordinator stopping", null, false, false);
    }
}
