package net.sessionmigration.daemon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of {@code GET /v1/workloads/{w}/state[?vip=V]}: whether the workload runs here, its
 * root pid and whether it is stopped; {@code vipPresent} when the caller named a virtual IP. A VM
 * also has {@code kind} {@value #VM} and QEMU's {@code status} ({@code running}, {@code paused},
 * {@code inmigrate}, …).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkloadStateAnswer(String server, String workload, String kind, boolean found, Integer pid,
                                  String status, Boolean stopped, Boolean vipPresent) {
    public static final String VM = "vm";

    /** Found and stopped (frozen, or a paused VM). */
    public boolean stoppedHere() {
        return found && Boolean.TRUE.equals(stopped);
    }

    public boolean vipHere() {
        return Boolean.TRUE.equals(vipPresent);
    }

    /** A VM's destination still receiving: not a copy yet. */
    public boolean incoming() {
        return "inmigrate".equals(status);
    }
}
