package net.sessionmigration.api.model;

/**
 * A user whose access port is switched: from the VLAN that reaches the main site to the VLAN
 * that reaches the backup site.
 *
 * @param nearBackup in REPLICATE, only these users are switched
 */
public record UserAttachment(String name, AccessPort port, VlanId from, VlanId to, boolean nearBackup) {
    public UserAttachment {
        Names.require("user name", name);
        if (port == null || from == null || to == null) {
            throw new IllegalArgumentException("user '" + name + "' needs a port, a from VLAN and a to VLAN");
        }
    }

    public PortMove move() {
        return new PortMove(name, port, from, to);
    }
}
