/**
 * Test-double drivers that keep their "devices" in memory: a workload mover
 * ({@code driver.type=simulated-mover}) and an access-port switcher
 * ({@code driver.type=simulated-switch}). Faults and delays are injected through Config Admin,
 * so integration tests and the demo can drive every branch of the sequence in a real Karaf.
 */
package net.sessionmigration.simulated;
