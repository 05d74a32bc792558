package net.sessionmigration.api.model;

/** One access port to move from one VLAN to another, on behalf of a user. */
public record PortMove(String user, AccessPort port, VlanId from, VlanId to) {
    public PortMove {
        if (user == null || port == null || from == null || to == null) {
            throw new IllegalArgumentException("a port move needs a user, a port, a from VLAN and a to VLAN");
        }
    }

    /** The move that puts this port back where it was. */
    public PortMove reversed() {
        return new PortMove(user, port, to, from);
    }
}
