package net.sessionmigration.simulated;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;

/**
 * A workload mover whose workloads live in memory: it tracks on which servers each workload
 * runs, is frozen, is ready, and holds the virtual IP, so tests can check the safe end of
 * every path. It keeps that state across coordinator restarts, as real servers would.
 */
@Component(service = WorkloadMover.class, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        configurationPid = SimulatedMover.PID,
        property = {"driver.type=simulated-mover", "vendor=session-migration (test double)"})
@Designate(ocd = SimulatedMover.Config.class)
public class SimulatedMover implements WorkloadMover {
    static final String PID = "net.sessionmigration.simulated.mover";

    @ObjectClassDefinition(name = "Simulated workload mover",
            description = "In-memory workload mover with fault injection, for tests and the demo")
    public @interface Config {
        @AttributeDefinition(description = "Operations that fail: freeze, migrate, moveVirtualIp, resume,"
                + " announce, rollback, preflight (comma list)", required = false)
        String fail() default "";

        @AttributeDefinition(description = "Delays, operation=millis (comma list), e.g. migrate=2000",
                required = false)
        String delay() default "";

        @AttributeDefinition(description = "Whether the driver declares REPLICATE support")
        boolean canReplicate() default true;
    }

    /** Where one workload's copies are, by server name. */
    private static final class Placement {
        final Set<String> running = new HashSet<>();
        final Set<String> frozen = new HashSet<>();
        final Set<String> ready = new HashSet<>();
        final Set<String> vip = new HashSet<>();
    }

    private final Map<String, Placement> workloads = new ConcurrentHashMap<>();
    private volatile FaultPlan faults = FaultPlan.NONE;
    private volatile boolean canReplicate = true;

    @Activate
    @Modified
    void configure(Config config) {
        faults = FaultPlan.parse(config.fail(), config.delay());
        canReplicate = config.canReplicate();
    }

    @Override
    public MoverCapabilities capabilities() {
        return new MoverCapabilities(true, canReplicate, true);
    }

    @Override
    public Result<Preflight> preflight(WorkloadTask task) {
        if (faults.fails("preflight")) {
            return Result.ok(new Preflight(List.of(new Problem(
                    task.target().name(), "simulated daemon unreachable")), List.of(), Duration.ZERO));
        }
        return Result.ok(Preflight.go(Duration.ofMillis(5), "simulated mover: no real process is moved"));
    }

    @Override
    public Result<OpReport> freeze(WorkloadTask task, DriverContext context) {
        return act("freeze", task, context, task.source().name(), p -> {
            p.running.remove(task.source().name());
            p.frozen.add(task.source().name());
        });
    }

    @Override
    public Result<OpReport> migrate(WorkloadTask task, DriverContext context) {
        return act("migrate", task, context, task.target().name(), p -> {
            String source = task.source().name();
            String target = task.target().name();
            if (task.freeze()) {
                p.ready.add(target);
            } else {
                p.running.add(target);
                if (task.mode() == MigrationMode.MOVE) {
                    p.running.remove(source);
                }
            }
            p.vip.add(target);
            context.progress("copied workload " + task.workload() + " to " + target);
        });
    }

    @Override
    public Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context) {
        return act("moveVirtualIp", task, context, task.source().name(), p -> {
            if (task.mode() == MigrationMode.MOVE) {
                p.vip.remove(task.source().name());
            }
        });
    }

    @Override
    public Result<OpReport> resume(WorkloadTask task, DriverContext context) {
        return act("resume", task, context, task.target().name(), p -> {
            String source = task.source().name();
            String target = task.target().name();
            p.ready.remove(target);
            p.running.add(target);
            p.frozen.remove(source);
            if (task.mode() == MigrationMode.REPLICATE) {
                p.running.add(source);
            }
        });
    }

    @Override
    public Result<OpReport> announce(WorkloadTask task, DriverContext context) {
        return act("announce", task, context, task.target().name(), p -> { });
    }

    @Override
    public Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context) {
        return act("rollback", task, context, task.source().name(), p -> {
            String source = task.source().name();
            String target = task.target().name();
            p.ready.remove(target);
            p.running.remove(target);
            p.vip.remove(target);
            p.frozen.remove(source);
            p.running.add(source);
            p.vip.add(source);
        });
    }

    @Override
    public Result<WorkloadState> state(WorkloadTask task) {
        Placement p = placement(task);
        synchronized (p) {
            boolean atSource = p.running.contains(task.source().name());
            boolean atTarget = p.running.contains(task.target().name());
            WorkloadState state;
            if (atSource && atTarget) {
                state = WorkloadState.RUNNING_AT_BOTH;
            } else if (atTarget) {
                state = WorkloadState.RUNNING_AT_TARGET;
            } else if (p.ready.contains(task.target().name())) {
                state = WorkloadState.READY_AT_TARGET;
            } else if (atSource) {
                state = WorkloadState.RUNNING_AT_SOURCE;
            } else if (p.frozen.contains(task.source().name())) {
                state = WorkloadState.FROZEN_AT_SOURCE;
            } else {
                state = WorkloadState.NOT_RUNNING;
            }
            return Result.ok(state);
        }
    }

    /** Servers that hold the virtual IP of the workload now; for tests. */
    public Set<String> virtualIpHolders(WorkloadTask task) {
        Placement p = placement(task);
        synchronized (p) {
            return Set.copyOf(p.vip);
        }
    }

    private Placement placement(WorkloadTask task) {
        return workloads.computeIfAbsent(task.workload(), name -> {
            Placement p = new Placement();
            p.running.add(task.source().name());
            p.vip.add(task.source().name());
            return p;
        });
    }

    private Result<OpReport> act(String operation, WorkloadTask task, DriverContext context, String device,
                                 Consumer<Placement> change) {
        Instant start = Instant.now();
        faults.delay(operation);
        if (faults.fails(operation)) {
            context.operation(device, operation, start, Instant.now(), "failed (injected)");
            return Result.failed(device, "simulated " + operation + " failure (injected by configuration)");
        }
        Placement p = placement(task);
        synchronized (p) {
            change.accept(p);
        }
        context.operation(device, operation, start, Instant.now(), "ok");
        return Result.ok(OpReport.of(operation + " " + task.workload() + " on " + device));
    }
}
