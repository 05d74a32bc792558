/**
 * What the coordinator offers to inputs (shell, trap receiver, later REST): {@link
 * net.sessionmigration.api.service.MigrationService} reads plans, history and drivers;
 * {@link net.sessionmigration.api.service.MigrationAdminService} starts and aborts migrations.
 */
package net.sessionmigration.api.service;
