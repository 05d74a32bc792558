/** One migration's run through S701-S711: the sequence, rollback, recovery and the flight recorder. */
package net.sessionmigration.coordinator.run;
