package net.sessionmigration.daemon;

import java.net.Inet4Address;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import net.sessionmigration.daemon.protocol.GatewayRequest;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.ProbeRequest;

/**
 * The checks of every request body ({@code daemon-protocol}'s records), before anything
 * happens: names by {@link RequestNames}, addresses as IPv4 literals, numbers in range. Each
 * failure is a {@link RequestNames.BadRequest} that names the field and never echoes the value.
 */
final class Requests {
    static final int MAX_TARGET_CLIENTS = 4096;
    static final int MAX_PORTS = 4096;
    static final int MAX_PROBE_TIMEOUT_MS = 10_000;

    private Requests() {
    }

    // ------------------------------------------------------------------ migrations

    /** The request checked, with its defaults: mode MOVE, no target clients. */
    static MigrationRequest check(MigrationRequest r) {
        RequestNames.require("workload", r.workload());
        RequestNames.requireIpv4("vip", r.vip());
        if (r.target() != null) {
            RequestNames.require("target", r.target());
        }
        String mode = r.mode() == null ? MigrationRequest.MOVE : r.mode();
        if (!mode.equals(MigrationRequest.MOVE) && !mode.equals(MigrationRequest.REPLICATE)) {
            throw new RequestNames.BadRequest("mode must be MOVE or REPLICATE");
        }
        List<String> clients = r.targetClients() == null ? List.of() : List.copyOf(r.targetClients());
        if (clients.size() > MAX_TARGET_CLIENTS) {
            throw new RequestNames.BadRequest("too many targetClients");
        }
        clients.forEach(c -> RequestNames.requireIpv4("targetClients entry", c));
        if (r.downtimeLimitMs() != null && (r.downtimeLimitMs() < 1 || r.downtimeLimitMs() > 60_000)) {
            throw new RequestNames.BadRequest("downtimeLimitMs must be 1..60000");
        }
        if (r.maxBandwidth() != null && r.maxBandwidth() < 1) {
            throw new RequestNames.BadRequest("maxBandwidth must be > 0 bytes/s");
        }
        return new MigrationRequest(r.workload(), r.vip(), r.target(), mode, clients, r.downtimeLimitMs(),
                r.maxBandwidth(), r.postCopy());
    }

    static Inet4Address vip(MigrationRequest r) {
        return RequestNames.requireIpv4("vip", r.vip());
    }

    static Set<Inet4Address> targetClients(MigrationRequest r) {
        Set<Inet4Address> s = new LinkedHashSet<>();
        if (r.targetClients() != null) {
            r.targetClients().forEach(c -> s.add(RequestNames.requireIpv4("targetClients entry", c)));
        }
        return s;
    }

    // ------------------------------------------------------------------ gateway role

    static List<String> ports(GatewayRequest r) {
        List<String> ports = r.ports();
        if (ports == null || ports.isEmpty()) {
            throw new RequestNames.BadRequest("ports: at least one port is required");
        }
        if (ports.size() > MAX_PORTS) {
            throw new RequestNames.BadRequest("at most " + MAX_PORTS + " ports per request");
        }
        ports.forEach(Requests::port);
        return List.copyOf(ports);
    }

    static List<GatewayRequest.Move> moves(GatewayRequest r) {
        List<GatewayRequest.Move> moves = r.moves();
        if (moves == null || moves.isEmpty()) {
            throw new RequestNames.BadRequest("moves: at least one move is required");
        }
        if (moves.size() > MAX_PORTS) {
            throw new RequestNames.BadRequest("at most " + MAX_PORTS + " moves per request");
        }
        Set<String> seen = new HashSet<>();
        for (GatewayRequest.Move m : moves) {
            if (m == null) {
                throw new RequestNames.BadRequest("moves: null entry");
            }
            port(m.port());
            vlan("from", m.from());
            vlan("to", m.to());
            if (!seen.add(m.port())) {
                throw new RequestNames.BadRequest("port " + m.port() + " is listed twice in one batch");
            }
        }
        return List.copyOf(moves);
    }

    static String port(String port) {
        if (!GatewayConfig.isInterfaceName(port)) {
            throw new RequestNames.BadRequest("port is not a valid interface name (letters, digits, . _ -; 1-15 characters)");
        }
        return port;
    }

    static void vlan(String field, int vlan) {
        if (vlan < 1 || vlan > 4094) {
            throw new RequestNames.BadRequest(field + ": a VLAN id is 1..4094");
        }
    }

    // ------------------------------------------------------------------ probe

    static Inet4Address probeAddress(ProbeRequest r) {
        return RequestNames.requireIpv4("address", r.address());
    }

    static int probePort(ProbeRequest r) {
        if (r.port() == null || r.port() < 1 || r.port() > 65535) {
            throw new RequestNames.BadRequest("port: a TCP port 1-65535 is required");
        }
        return r.port();
    }

    static int probeTimeoutMs(ProbeRequest r) {
        if (r.timeoutMs() == null || r.timeoutMs() < 1 || r.timeoutMs() > MAX_PROBE_TIMEOUT_MS) {
            throw new RequestNames.BadRequest("timeoutMs: 1-" + MAX_PROBE_TIMEOUT_MS + " ms is required");
        }
        return r.timeoutMs();
    }
}
