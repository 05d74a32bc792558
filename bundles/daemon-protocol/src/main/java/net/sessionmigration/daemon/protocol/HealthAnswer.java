package net.sessionmigration.daemon.protocol;

/** Answer of {@code GET /v1/health}: the daemon's name. */
public record HealthAnswer(boolean ok, String server) {
}
