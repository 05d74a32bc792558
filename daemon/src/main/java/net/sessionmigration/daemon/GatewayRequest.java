package net.sessionmigration.daemon;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Body of the gateway calls: {@code {"ports":["p1"]}} (vlans) or
 * {@code {"moves":[{"port":"p1","from":1,"to":2}], "putBack":true}} (move, preflight).
 * Unknown fields are refused; names and VLAN ids are checked before anything else happens.
 */
public record GatewayRequest(List<String> ports, List<Move> moves, Boolean putBack) {
    static final int MAX_PORTS = 4096;

    public record Move(String port, int from, int to) {
    }

    List<String> requirePorts() {
        if (ports == null || ports.isEmpty()) {
            throw new RequestNames.BadRequest("ports: at least one port is required");
        }
        if (ports.size() > MAX_PORTS) {
            throw new RequestNames.BadRequest("at most " + MAX_PORTS + " ports per request");
        }
        ports.forEach(GatewayRequest::requirePort);
        return List.copyOf(ports);
    }

    List<Move> requireMoves() {
        if (moves == null || moves.isEmpty()) {
            throw new RequestNames.BadRequest("moves: at least one move is required");
        }
        if (moves.size() > MAX_PORTS) {
            throw new RequestNames.BadRequest("at most " + MAX_PORTS + " moves per request");
        }
        Set<String> seen = new HashSet<>();
        for (Move m : moves) {
            if (m == null) {
                throw new RequestNames.BadRequest("moves: null entry");
            }
            requirePort(m.port());
            requireVlan("from", m.from());
            requireVlan("to", m.to());
            if (!seen.add(m.port())) {
                throw new RequestNames.BadRequest("port " + m.port() + " is listed twice in one batch");
            }
        }
        return List.copyOf(moves);
    }

    boolean wantsPutBack() {
        return putBack == null || putBack;
    }

    static String requirePort(String port) {
        if (!GatewayConfig.isInterfaceName(port)) {
            throw new RequestNames.BadRequest("port is not a valid interface name (letters, digits, . _ -; 1-15 characters)");
        }
        return port;
    }

    static void requireVlan(String field, int vlan) {
        if (vlan < 1 || vlan > 4094) {
            throw new RequestNames.BadRequest(field + ": a VLAN id is 1..4094");
        }
    }
}
