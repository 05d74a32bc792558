package net.sessionmigration.daemon.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of {@code POST /v1/migrations/{id}/page-server} (daemon to daemon): where CRIU's page server listens. */
public record PageServerAnswer(boolean ok, String summary, int port, @JsonProperty("start_ms") long startMs) {
}
