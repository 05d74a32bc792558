package net.sessionmigration.daemon.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of {@code /gateway/v1/preflight}: the gateway's mode, what stands in the way, and how long its lookup took. */
public record GatewayPreflightAnswer(boolean ok, String gateway, String mode, List<Problem> problems,
                                     @JsonProperty("lookup_us") long lookupUs) {

    /** One port that cannot move as planned: {@code kind} as in {@link ErrorAnswer#kind()}. */
    public record Problem(String port, String kind, String cause) {
    }
}
