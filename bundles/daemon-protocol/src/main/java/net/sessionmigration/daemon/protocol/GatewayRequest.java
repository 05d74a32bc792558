package net.sessionmigration.daemon.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of the gateway calls: {@code {"ports":["p1"]}} ({@code /gateway/v1/vlans}) or
 * {@code {"moves":[{"port":"p1","from":1,"to":2}],"putBack":true}} ({@code move},
 * {@code preflight}). The daemon checks names and VLAN ids before anything happens.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayRequest(List<String> ports, List<Move> moves, Boolean putBack) {

    /** One access port from one VLAN to another. */
    public record Move(String port, int from, int to) {
    }

    public static GatewayRequest vlans(List<String> ports) {
        return new GatewayRequest(ports, null, null);
    }

    public static GatewayRequest moves(List<Move> moves, boolean putBack) {
        return new GatewayRequest(null, moves, putBack);
    }

    /** A batch that fails part-way puts back the ports it moved, unless told not to. */
    public boolean wantsPutBack() {
        return putBack == null || putBack;
    }
}
