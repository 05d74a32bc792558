package net.sessionmigration.api.service;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads plans, running and past migrations, and drivers. */
public interface MigrationService {

    List<PlanStatus> plans();

    Optional<PlanStatus> plan(String name);

    /** Validates a plan file without loading it. */
    PlanStatus validate(Path file);

    /** Validation plus every driver's preflight: go or no-go, with every problem. Changes nothing. */
    DryRunReport dryRun(String plan);

    Optional<MigrationRecord> migration(String id);

    /** Migrations newest first, at most {@code limit}. */
    List<MigrationRecord> history(int limit);

    List<MigrationRecord> running();

    List<DriverStatus> drivers();

    /** This coordinator's cluster: alone (the default), or its members, leader and epoch on ZooKeeper. */
    default ClusterStatus cluster() {
        return ClusterStatus.alone();
    }
}
