package net.sessionmigration.api.model;

/** A user's attachment point: a port on a switch or a Linux gateway, both named in the plan. */
public record AccessPort(String device, String port) {
    public AccessPort {
        Names.require("device", device);
        Names.require("port", port);
    }

    @Override
    public String toString() {
        return device + "/" + port;
    }
}
