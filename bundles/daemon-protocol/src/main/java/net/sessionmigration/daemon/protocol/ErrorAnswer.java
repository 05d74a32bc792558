package net.sessionmigration.daemon.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of every call that failed (4xx, 5xx): {@code {"ok":false,"error":"…"}}. A gateway
 * move or read that could not be done (409) also says which {@code kind} of failure
 * ({@code port-unknown}, {@code not-in-vlan}, {@code vlan-missing}, {@code wrong-vlan},
 * {@code kernel}, {@code verify}), which port, and which ports were put back and which could not be.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorAnswer(boolean ok, String kind, String port, String error, List<String> putBack, List<String> stuck) {

    public static ErrorAnswer of(String error) {
        return new ErrorAnswer(false, null, null, error, null, null);
    }

    /** The error in words, never null. */
    public String text() {
        return error == null ? "" : error;
    }
}
