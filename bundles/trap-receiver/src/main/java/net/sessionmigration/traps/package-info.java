/**
 * The automatic inputs of session migration: an SNMP trap/inform receiver (SNMP4J, v1, v2c and
 * v3/USM) feeding a bounded queue, a handler thread that matches disaster and load trigger rules
 * and starts plans through {@link net.sessionmigration.api.service.MigrationAdminService}, and a
 * poller that counts established TCP connections through an agent's TCP-MIB. Owns the trap
 * counters ({@link net.sessionmigration.api.service.TriggerService}, JMX). Nothing here runs a
 * command with text from a trap, and no secret (community, passphrase) is logged or shown.
 */
package net.sessionmigration.traps;
