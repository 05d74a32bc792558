package net.sessionmigration.api.model;

/** A device that holds users' access ports (a switch or a Linux gateway) and the driver it needs. */
public record Device(String name, String driverType) {
    public Device {
        Names.require("device name", name);
        Names.require("driver type", driverType);
    }
}
