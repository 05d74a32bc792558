package net.sessionmigration.daemon.protocol;

/** Answer of {@code POST /v1/migrations/{id}/image} (daemon to daemon): the bytes received. */
public record ImageAnswer(boolean ok, String summary, long bytes) {
}
