/**
 * The session-migration API: the domain model ({@code model}), the coordinator's services
 * ({@code service}) and the driver capability interfaces that integrators implement
 * ({@code driver}). Depends on the JDK only.
 */
package net.sessionmigration.api;
