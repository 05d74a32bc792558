package net.sessionmigration.daemon;

import java.util.List;

import net.sessionmigration.daemon.protocol.ErrorAnswer;

/**
 * A gateway call that could not be done, answered with 409 and a body that says which kind,
 * which port, and (for a move) which ports were put back and which could not be.
 */
public final class GatewayFailure extends Exception {
    /** port-unknown, not-in-vlan, vlan-missing, wrong-vlan, kernel, verify. */
    private final String kind;
    private final String port;
    private final List<String> putBack;
    private final List<String> stuck;

    GatewayFailure(String kind, String port, String message) {
        this(kind, port, message, List.of(), List.of());
    }

    GatewayFailure(String kind, String port, String message, List<String> putBack, List<String> stuck) {
        super(message);
        this.kind = kind;
        this.port = port;
        this.putBack = List.copyOf(putBack);
        this.stuck = List.copyOf(stuck);
    }

    public String kind() {
        return kind;
    }

    public String port() {
        return port;
    }

    ErrorAnswer body() {
        return new ErrorAnswer(false, kind, port, getMessage(), putBack, stuck);
    }
}
