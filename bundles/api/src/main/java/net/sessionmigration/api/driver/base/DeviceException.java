package net.sessionmigration.api.driver.base;

/**
 * What went wrong on one device, in words an operator can act on (name the port or VLAN when
 * it is about one). {@link AbstractAccessPortSwitcher} turns it into the {@code Problem} of the
 * device.
 */
public class DeviceException extends Exception {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
