/**
 * Immutable domain values: plans, workloads, access ports, VLANs, steps and results.
 *
 * <p>Exported at the version below, changed by semantic versioning (docs/drivers.md, "Versions and
 * compatibility"): a minor step for additions drivers survive unchanged, a major one for anything
 * that can break a driver.
 */
@Version("0.1.0")
package net.sessionmigration.api.model;

import org.osgi.annotation.versioning.Version;
