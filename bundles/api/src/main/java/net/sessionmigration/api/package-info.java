/**
 * The session-migration API: the domain model ({@code model}), the coordinator's services
 * ({@code service}) and the driver capability interfaces that integrators implement
 * ({@code driver}). Depends on the JDK only.
 *
 * <p>Exported at the version below, changed by semantic versioning (docs/drivers.md, "Versions and
 * compatibility"): a minor step for additions drivers survive unchanged, a major one for anything
 * that can break a driver.
 */
@Version("0.1.0")
package net.sessionmigration.api;

import org.osgi.annotation.versioning.Version;
