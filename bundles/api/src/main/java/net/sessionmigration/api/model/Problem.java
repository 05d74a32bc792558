package net.sessionmigration.api.model;

/** Why something failed: the device (switch, server, daemon, plan file…) and the cause, in words. */
public record Problem(String device, String cause) {
    public Problem {
        if (device == null || device.isBlank()) {
            device = "coordinator";
        }
        if (cause == null || cause.isBlank()) {
            cause = "unknown cause";
        }
    }

    @Override
    public String toString() {
        return device + ": " + cause;
    }
}
