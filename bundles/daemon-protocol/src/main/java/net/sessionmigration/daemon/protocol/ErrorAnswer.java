package net.sessionmigration.daemon.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of every call that failed (4xx, 5xx): {@code {"ok":false,"error":"…"}}. A gateway
 * move or read that could not be done (409) also says which {@code kind} of failure
 * ({@code port-unknown}, {@code not-in-vlan}, {@code vlan-missing}, {@code wrong-vlan},
 * {@code kernel}, {@code verify}), which port, and which ports were put back and which could not be.
 * A changing request from a caller whose epoch is below the highest the daemon has seen is
 * refused (409) with kind {@value #FENCED} ({@link DaemonClient#EPOCH_HEADER}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorAnswer(boolean ok, String kind, String port, String error, List<String> putBack, List<String> stuck) {
    /** The kind of a refusal of a deposed coordinator's request: its epoch is below the daemon's highest. */
    public static final String FENCED = "fenced";

    public static ErrorAnswer of(String error) {
        return new ErrorAnswer(false, null, null, error, null, null);
    }

    /** A failure of a {@code kind}, in words. */
    public static ErrorAnswer of(String kind, String error) {
        return new ErrorAnswer(false, kind, null, error, null, null);
    }

    /** The error in words, never null. */
    public String text() {
        return error == null ? "" : error;
    }
}
