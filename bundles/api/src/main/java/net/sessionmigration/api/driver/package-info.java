/**
 * Driver capability interfaces, one per thing a device can do (as ONOS behaviours).
 * A driver is an OSGi service registered with the properties {@link
 * net.sessionmigration.api.driver.DriverProperties#DRIVER_TYPE} and {@link
 * net.sessionmigration.api.driver.DriverProperties#VENDOR}; plans name the driver type they
 * need and the coordinator resolves it at run time. Integrators build against this package only.
 *
 * <p>Exported at the version below, changed by semantic versioning (docs/drivers.md, "Versions and
 * compatibility"): a minor step for additions drivers survive unchanged, a major one for anything
 * that can break a driver.
 */
@Version("0.2.0")
package net.sessionmigration.api.driver;

import org.osgi.annotation.versioning.Version;
