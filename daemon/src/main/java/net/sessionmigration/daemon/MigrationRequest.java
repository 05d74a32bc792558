package net.sessionmigration.daemon;

import java.net.Inet4Address;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The body of every migration operation. Carries everything the operation needs, so that a
 * repeated call (coordinator crash, daemon restart) can act without earlier state.
 *
 * @param workload       the workload's name in this daemon's config
 * @param vip            the virtual IP (IPv4 literal)
 * @param target         the peer that receives the workload (migrate only)
 * @param mode           MOVE or REPLICATE
 * @param targetClients  REPLICATE: users (IPv4) that the target copy serves; the source copy
 *                       drops them and the target copy drops everyone else
 * @param downtimeLimitMs VMs: QEMU's downtime limit for this migration (else the daemon's config)
 * @param maxBandwidth   VMs: QEMU's migration bandwidth in bytes/s (else the daemon's config)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record MigrationRequest(String workload, String vip, String target, String mode, List<String> targetClients,
                               Long downtimeLimitMs, Long maxBandwidth) {

    public MigrationRequest {
        RequestNames.require("workload", workload);
        RequestNames.requireIpv4("vip", vip);
        if (target != null) {
            RequestNames.require("target", target);
        }
        mode = mode == null ? "MOVE" : mode;
        if (!mode.equals("MOVE") && !mode.equals("REPLICATE")) {
            throw new RequestNames.BadRequest("mode must be MOVE or REPLICATE");
        }
        targetClients = targetClients == null ? List.of() : List.copyOf(targetClients);
        if (targetClients.size() > 4096) {
            throw new RequestNames.BadRequest("too many targetClients");
        }
        targetClients.forEach(c -> RequestNames.requireIpv4("targetClients entry", c));
        if (downtimeLimitMs != null && (downtimeLimitMs < 1 || downtimeLimitMs > 60_000)) {
            throw new RequestNames.BadRequest("downtimeLimitMs must be 1..60000");
        }
        if (maxBandwidth != null && maxBandwidth < 1) {
            throw new RequestNames.BadRequest("maxBandwidth must be > 0 bytes/s");
        }
    }

    /** A process workload's request (no VM parameters). */
    public MigrationRequest(String workload, String vip, String target, String mode, List<String> targetClients) {
        this(workload, vip, target, mode, targetClients, null, null);
    }

    public Inet4Address vipAddress() {
        return RequestNames.requireIpv4("vip", vip);
    }

    public boolean replicate() {
        return mode.equals("REPLICATE");
    }

    public Set<Inet4Address> targetClientAddresses() {
        Set<Inet4Address> s = new LinkedHashSet<>();
        targetClients.forEach(c -> s.add(RequestNames.requireIpv4("targetClients entry", c)));
        return s;
    }
}
