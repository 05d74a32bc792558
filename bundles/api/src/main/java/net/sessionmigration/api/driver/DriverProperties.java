package net.sessionmigration.api.driver;

/** Service properties every driver registers with. */
public final class DriverProperties {
    /** The type a plan names, e.g. {@code criu-daemon}, {@code snmp-qbridge}. Required. */
    public static final String DRIVER_TYPE = "driver.type";
    /** Who wrote the driver, shown by {@code migration:drivers}. */
    public static final String VENDOR = "vendor";

    private DriverProperties() {
    }
}
