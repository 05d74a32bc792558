/**
 * What the coordinator offers to inputs (shell, trap receiver, later REST): {@link
 * net.sessionmigration.api.service.MigrationService} reads plans, history and drivers;
 * {@link net.sessionmigration.api.service.MigrationAdminService} starts and aborts migrations.
 *
 * <p>Exported at the version below, changed by semantic versioning (docs/drivers.md, "Versions and
 * compatibility"): a minor step for additions drivers survive unchanged, a major one for anything
 * that can break a driver.
 */
@Version("0.2.0")
package net.sessionmigration.api.service;

import org.osgi.annotation.versioning.Version;
