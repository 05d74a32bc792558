/**
 * The operator's Karaf commands, scope {@code migration}: thin {@code Action} classes that read
 * arguments and call {@link net.sessionmigration.api.service.MigrationService} /
 * {@link net.sessionmigration.api.service.MigrationAdminService}; all formatting lives in the
 * plain {@code *View} classes so it is unit-tested without OSGi.
 */
package net.sessionmigration.shell;
