package net.sessionmigration.simulated;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;

/**
 * A user-side probe that answers from configuration: it reaches v unless its probe host (or
 * {@code probe}, meaning every host) is listed in {@code fail}, in which case it reports the
 * timeout a real probe would see.
 */
@Component(service = ReachabilityProbe.class, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        configurationPid = SimulatedProbe.PID,
        property = {"driver.type=simulated-probe", "vendor=session-migration (test double)"})
@Designate(ocd = SimulatedProbe.Config.class)
public class SimulatedProbe implements ReachabilityProbe {
    static final String PID = "net.sessionmigration.simulated.probe";

    @ObjectClassDefinition(name = "Simulated reachability probe",
            description = "User-side probe with fault injection, for tests and the demo")
    public @interface Config {
        @AttributeDefinition(description = "Probe hosts whose probe fails (comma list), 'probe' for all,"
                + " or 'preflight'", required = false)
        String fail() default "";

        @AttributeDefinition(description = "Delays, operation=millis: probe", required = false)
        String delay() default "";
    }

    private volatile FaultPlan faults = FaultPlan.NONE;

    @Activate
    @Modified
    void configure(Config config) {
        faults = FaultPlan.parse(config.fail(), config.delay());
    }

    @Override
    public Result<Preflight> preflight(ProbeTask task) {
        if (faults.fails("preflight")) {
            return Result.ok(new Preflight(List.of(new Problem(task.probeHost(),
                    "probe host does not answer (injected by configuration)")), List.of(), Duration.ZERO));
        }
        return Result.ok(Preflight.go(Duration.ofMillis(1), "probe host " + task.probeHost() + " answers"));
    }

    @Override
    public Result<OpReport> probe(ProbeTask task, DriverContext context) {
        faults.delay("probe");
        String target = task.address() + ":" + task.port();
        if (faults.fails("probe") || faults.fails(task.probeHost())) {
            return Result.failed(task.probeHost(), "connect to " + target + " timed out after "
                    + task.timeout().toMillis() + " ms (injected)");
        }
        return Result.ok(new OpReport("connected to " + target, Map.of("connect_us", "1")));
    }
}
