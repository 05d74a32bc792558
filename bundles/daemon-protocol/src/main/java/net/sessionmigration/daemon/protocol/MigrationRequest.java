package net.sessionmigration.daemon.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every migration operation ({@code POST /v1/migrations/{id}/{op}}). Carries
 * everything the operation needs, so that a repeated call (coordinator crash, daemon restart)
 * can act without earlier state. The daemon checks every value before it acts.
 *
 * @param workload       the workload's name in the daemon's config
 * @param vip            the virtual IP (IPv4 literal)
 * @param target         the peer that receives the workload (migrate only)
 * @param mode           {@value #MOVE} (the default) or {@value #REPLICATE}
 * @param targetClients  REPLICATE: users (IPv4) that the target copy serves; the source copy
 *                       drops them and the target copy drops everyone else
 * @param downtimeLimitMs VMs: QEMU's downtime limit for this migration (else the daemon's config)
 * @param maxBandwidth   VMs: QEMU's migration bandwidth in bytes/s (else the daemon's config)
 * @param postCopy       processes: post-copy (CRIU's lazy pages): the freeze moves everything but
 *                       the memory, which the target fetches from the still frozen source after
 *                       the restore; the source copy stays until the last page has left
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationRequest(String workload, String vip, String target, String mode, List<String> targetClients,
                               Long downtimeLimitMs, Long maxBandwidth, Boolean postCopy) {
    public static final String MOVE = "MOVE";
    public static final String REPLICATE = "REPLICATE";

    /** A process workload's request (no VM parameters). */
    public MigrationRequest(String workload, String vip, String target, String mode, List<String> targetClients) {
        this(workload, vip, target, mode, targetClients, null, null, null);
    }

    /** A request without post-copy. */
    public MigrationRequest(String workload, String vip, String target, String mode, List<String> targetClients,
                            Long downtimeLimitMs, Long maxBandwidth) {
        this(workload, vip, target, mode, targetClients, downtimeLimitMs, maxBandwidth, null);
    }

    public boolean lazyPages() {
        return Boolean.TRUE.equals(postCopy);
    }

    public boolean replicate() {
        return REPLICATE.equals(mode);
    }
}
