package net.sessionmigration.coordinator.osgi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.DriverStatus;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.coordinator.CoordinatorSettings;
import net.sessionmigration.coordinator.DriverRegistry;
import net.sessionmigration.coordinator.SessionMigrationCoordinator;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * Publishes the coordinator as {@link MigrationService} and {@link MigrationAdminService}.
 * Drivers are dynamic, greedy, multiple references: a driver bundle installed or removed at
 * any time is seen at the next step without restarting this component. A configuration change
 * restarts the component (no modified method), which is safe because the journal recovers
 * whatever was in flight.
 */
@Component(service = {MigrationService.class, MigrationAdminService.class}, immediate = true,
        configurationPid = CoordinatorComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CoordinatorConfig.class)
public class CoordinatorComponent implements MigrationService, MigrationAdminService {
    public static final String PID = "net.sessionmigration.coordinator";

    private final DriverRegistry drivers = new DriverRegistry();
    private volatile SessionMigrationCoordinator coordinator;
    /** In a cluster: this member's ZooKeeper connection, closed after the coordinator. */
    private volatile AutoCloseable cluster;

    @Activate
    void activate(CoordinatorConfig config) {
        Path journalFile = Path.of(orDefault(config.journal_file(), "karaf.data", "data", "migration/journal.mv"));
        CoordinatorSettings settings = new CoordinatorSettings(
                Path.of(orDefault(config.plans_dir(), "karaf.etc", "etc", "migration/plans")),
                Duration.ofSeconds(Math.max(1, config.step_timeout_seconds())),
                Duration.ofMillis(Math.max(0, config.plans_poll_millis())),
                config.history_keep(), Duration.ofSeconds(Math.max(0, config.keep_warm_seconds())));
        SessionMigrationCoordinator c;
        switch (config.journal_store().trim()) {
            case "local" -> c = new SessionMigrationCoordinator(settings, drivers,
                    Journal.open(journalFile, config.journal_sync()));
            case "zookeeper" -> {
                Clustered clustered = Clustered.join(config);
                cluster = clustered;
                c = new SessionMigrationCoordinator(settings, drivers, clustered.journal(), clustered.member());
            }
            default -> throw new IllegalArgumentException("journal.store '" + config.journal_store()
                    + "' is neither local nor zookeeper");
        }
        c.open();
        coordinator = c;
    }

    @Deactivate
    void deactivate() {
        SessionMigrationCoordinator c = coordinator;
        if (c != null) {
            c.close();
        }
        AutoCloseable cl = cluster;
        if (cl != null) {
            try {
                cl.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(CoordinatorComponent.class).warn("cluster close: {}", e.toString());
            }
        }
    }

    private static String orDefault(String configured, String karafProperty, String fallbackRoot, String rest) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        String root = System.getProperty(karafProperty);
        return (root == null || root.isBlank() ? fallbackRoot : root) + "/" + rest;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMover(WorkloadMover mover, Map<String, Object> properties) {
        drivers.addMover(mover, properties);
    }

    void unbindMover(WorkloadMover mover, Map<String, Object> properties) {
        drivers.removeMover(mover, properties);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSwitcher(AccessPortSwitcher switcher, Map<String, Object> properties) {
        drivers.addSwitcher(switcher, properties);
    }

    void unbindSwitcher(AccessPortSwitcher switcher, Map<String, Object> properties) {
        drivers.removeSwitcher(switcher, properties);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindProbe(ReachabilityProbe probe, Map<String, Object> properties) {
        drivers.addProbe(probe, properties);
    }

    void unbindProbe(ReachabilityProbe probe, Map<String, Object> properties) {
        drivers.removeProbe(probe, properties);
    }

    // ---- delegation ----

    @Override
    public List<PlanStatus> plans() {
        return coordinator.plans();
    }

    @Override
    public Optional<PlanStatus> plan(String name) {
        return coordinator.plan(name);
    }

    @Override
    public PlanStatus validate(Path file) {
        return coordinator.validate(file);
    }

    @Override
    public DryRunReport dryRun(String plan) {
        return coordinator.dryRun(plan);
    }

    @Override
    public ClusterStatus cluster() {
        return coordinator.cluster();
    }

    @Override
    public Optional<MigrationRecord> migration(String id) {
        return coordinator.migration(id);
    }

    @Override
    public List<MigrationRecord> history(int limit) {
        return coordinator.history(limit);
    }

    @Override
    public List<MigrationRecord> running() {
        return coordinator.running();
    }

    @Override
    public List<DriverStatus> drivers() {
        return coordinator.drivers();
    }

    @Override
    public Result<String> start(StartRequest request, MigrationListener listener) {
        return coordinator.start(request, listener);
    }

    @Override
    public Result<MigrationRecord> await(String migrationId, Duration timeout) {
        return coordinator.await(migrationId, timeout);
    }

    @Override
    public Result<String> abort(String migrationId) {
        return coordinator.abort(migrationId);
    }

    @Override
    public Result<String> resetBackupActive(String plan) {
        return coordinator.resetBackupActive(plan);
    }

    @Override
    public Optional<TriggerMemory> triggerMemory(String rule) {
        return coordinator.triggerMemory(rule);
    }

    @Override
    public void rememberTrigger(TriggerMemory memory) {
        coordinator.rememberTrigger(memory);
    }

    @Override
    public void addListener(MigrationListener listener) {
        coordinator.addListener(listener);
    }

    @Override
    public void removeListener(MigrationListener listener) {
        coordinator.removeListener(listener);
    }
}
