package net.sessionmigration.daemon.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of {@code GET /v1/workloads/{w}/preflight[?vip=V]}: the workload's state (as {@link
 * WorkloadStateAnswer}) and what a migration of it needs.
 *
 * <p>A process (CRIU): {@code criuOk} and {@code criuMessage} ({@code criu check}); the freeze of
 * the daemon's recent migrations as a source, each split into the part that moved memory
 * ({@code recentMigrations}); and, when found, the
 * workload's {@code residentBytes} now (VmRSS summed over its process tree), so the driver can
 * predict this migration's freeze.
 *
 * <p>A VM (QEMU): the accelerator decided at the daemon's start and why, whether QEMU and the
 * VM's image are there, {@code canReplicate:false}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PreflightAnswer(String server, String workload, String kind, boolean found, Integer pid, String status,
                              Boolean stopped, Boolean vipPresent,
                              Boolean criuOk, String criuMessage,
                              List<RecentMigration> recentMigrations, Long residentBytes,
                              String accelerator, String acceleratorReason, Boolean qemuOk, Boolean imageOk,
                              Boolean canReplicate) {

    public static PreflightAnswer criu(WorkloadStateAnswer s, boolean criuOk, String criuMessage,
                                       List<RecentMigration> recent, Long residentBytes) {
        return new PreflightAnswer(s.server(), s.workload(), s.kind(), s.found(), s.pid(), s.status(), s.stopped(),
                s.vipPresent(), criuOk, criuMessage, List.copyOf(recent), residentBytes, null, null, null, null, null);
    }

    public static PreflightAnswer vm(WorkloadStateAnswer s, String accelerator, String acceleratorReason,
                                     boolean qemuOk, boolean imageOk) {
        return new PreflightAnswer(s.server(), s.workload(), s.kind(), s.found(), s.pid(), s.status(), s.stopped(),
                s.vipPresent(), null, null, null, null, accelerator, acceleratorReason, qemuOk, imageOk, false);
    }

    /** The state part. */
    public WorkloadStateAnswer state() {
        return new WorkloadStateAnswer(server, workload, kind, found, pid, status, stopped, vipPresent);
    }

    public boolean criuLooksGood() {
        return Boolean.TRUE.equals(criuOk);
    }

    public boolean qemuInstalled() {
        return Boolean.TRUE.equals(qemuOk);
    }

    public boolean imagePresent() {
        return Boolean.TRUE.equals(imageOk);
    }

    public boolean describesVm() {
        return WorkloadStateAnswer.VM.equals(kind);
    }

    /** Never null. */
    public List<RecentMigration> recent() {
        return recentMigrations == null ? List.of() : recentMigrations;
    }

    public long resident() {
        return residentBytes == null ? 0 : residentBytes;
    }
}
