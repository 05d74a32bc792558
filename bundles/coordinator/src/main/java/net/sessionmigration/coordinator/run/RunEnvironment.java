package net.sessionmigration.coordinator.run;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.coordinator.DriverRegistry;
import net.sessionmigration.coordinator.Leadership;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * What every run shares with its coordinator.
 *
 * @param events  the coordinator's global listeners
 * @param halted  true once the coordinator is stopping or deposed: runs then take no step and write nothing
 * @param leadership whether this coordinator leads, and its epoch, handed to drivers for fencing
 */
public record RunEnvironment(DriverRegistry drivers, Journal journal, DriverCalls calls, Duration stepTimeout,
                             MigrationListener events, BooleanSupplier halted, Leadership leadership) {
}
