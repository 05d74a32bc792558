/**
 * Contract tests for drivers: abstract JUnit 5 classes, one per driver capability of
 * {@code net.sessionmigration.api.driver}. A driver's test class extends one, supplies the driver
 * and a way to arrange its device, and inherits every behaviour the coordinator relies on.
 * Tests the driver or its device cannot exercise (no way to inject a fault) are skipped through
 * a JUnit assumption, so a report shows them as skipped, never as passed.
 * {@link net.sessionmigration.driverkit.ContractRunner} runs such classes from the command line,
 * against a live lab, with one PASS/FAIL/SKIP line per test.
 */
package net.sessionmigration.driverkit;
