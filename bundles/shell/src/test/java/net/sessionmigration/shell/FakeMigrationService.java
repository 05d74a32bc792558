package net.sessionmigration.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.DriverStatus;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;

/** An in-memory MigrationService: tests fill its maps and read what was asked. */
final class FakeMigrationService implements MigrationService {
    final Map<String, PlanStatus> plans = new LinkedHashMap<>();
    final Map<Path, PlanStatus> validations = new LinkedHashMap<>();
    final Map<String, DryRunReport> dryRuns = new LinkedHashMap<>();
    /** Insertion order is oldest first; history() returns newest first. */
    final Map<String, MigrationRecord> records = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<DriverStatus> drivers = new ArrayList<>();
    final List<Path> validated = new ArrayList<>();
    final Map<String, Integer> calls = new ConcurrentHashMap<>();
    int lastHistoryLimit;

    FakeMigrationService plan(PlanStatus p) {
        plans.put(p.name(), p);
        return this;
    }

    FakeMigrationService record(MigrationRecord r) {
        records.put(r.id(), r);
        return this;
    }

    @Override
    public List<PlanStatus> plans() {
        return List.copyOf(plans.values());
    }

    @Override
    public Optional<PlanStatus> plan(String name) {
        return Optional.ofNullable(plans.get(name));
    }

    @Override
    public PlanStatus validate(Path file) {
        validated.add(file);
        PlanStatus status = validations.get(file);
        if (status == null) {
            throw new AssertionError("unexpected validate(" + file + ")");
        }
        return status;
    }

    @Override
    public DryRunReport dryRun(String plan) {
        return dryRuns.get(plan);
    }

    @Override
    public Optional<MigrationRecord> migration(String id) {
        calls.merge("migration", 1, Integer::sum);
        return Optional.ofNullable(records.get(id));
    }

    @Override
    public List<MigrationRecord> history(int limit) {
        lastHistoryLimit = limit;
        List<MigrationRecord> all;
        synchronized (records) {
            all = new ArrayList<>(records.values());
        }
        Collections.reverse(all);
        return all.subList(0, Math.min(limit, all.size()));
    }

    @Override
    public List<MigrationRecord> running() {
        synchronized (records) {
            return records.values().stream().filter(r -> r.state() == MigrationState.RUNNING).toList();
        }
    }

    @Override
    public List<DriverStatus> drivers() {
        return List.copyOf(drivers);
    }

    ClusterStatus cluster = ClusterStatus.alone();

    @Override
    public ClusterStatus cluster() {
        return cluster;
    }
}
