package net.sessionmigration.daemon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of {@code GET /v1/health}: the daemon's name; the highest coordinator epoch it has seen
 * ({@code epoch}: 0 until a cluster's leader sent one, {@link DaemonClient#EPOCH_HEADER}) and how
 * many changing requests it has refused since it started because their epoch was below that
 * ({@code fencedRefusals}). Both are absent (null) in the answer of a daemon older than epochs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthAnswer(boolean ok, String server, Long epoch, Long fencedRefusals) {

    /** The answer of a daemon that does not say its epoch. */
    public HealthAnswer(boolean ok, String server) {
        this(ok, server, null, null);
    }
}
