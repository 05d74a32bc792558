/**
 * Driver capability interfaces, one per thing a device can do (as ONOS behaviours).
 * A driver is an OSGi service registered with the properties {@link
 * net.sessionmigration.api.driver.DriverProperties#DRIVER_TYPE} and {@link
 * net.sessionmigration.api.driver.DriverProperties#VENDOR}; plans name the driver type they
 * need and the coordinator resolves it at run time. Integrators build against this package only.
 */
package net.sessionmigration.api.driver;
