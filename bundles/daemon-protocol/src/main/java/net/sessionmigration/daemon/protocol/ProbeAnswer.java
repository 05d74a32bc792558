package net.sessionmigration.daemon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of {@code POST /v1/probe}: reachable with the connect time and the address it came
 * from, or not, with a reason ({@code refused}, {@code timed-out}, {@code no-route},
 * {@code network-unreachable}, {@code other}) and the error in words.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeAnswer(boolean ok, boolean reachable, String address, int port, Long connectMicros, String from,
                          String reason, String error, Long elapsedMicros) {

    public static ProbeAnswer connected(String address, int port, long connectMicros, String from) {
        return new ProbeAnswer(true, true, address, port, connectMicros, from, null, null, null);
    }

    public static ProbeAnswer failed(String address, int port, String reason, String error, long elapsedMicros) {
        return new ProbeAnswer(true, false, address, port, null, null, reason, error, elapsedMicros);
    }
}
