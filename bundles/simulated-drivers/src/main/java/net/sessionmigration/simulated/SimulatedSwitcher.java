package net.sessionmigration.simulated;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.base.AbstractAccessPortSwitcher;
import net.sessionmigration.api.driver.base.DeviceException;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * An access-port switcher whose ports live in memory, built on {@link AbstractAccessPortSwitcher}
 * as an integrator's driver would be: it only reads and writes its ports; the base keeps the
 * contract (read before write, verify, report what moved, stateless restore). A port never seen
 * before is on the configured initial VLAN. Faults by configuration: a port listed in {@code fail}
 * rejects its write (the ports written before it on that device stay moved), {@code preflight}
 * and {@code restore} fail, {@code delay} slows move and restore.
 */
@Component(service = AccessPortSwitcher.class, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        configurationPid = SimulatedSwitcher.PID,
        property = {"driver.type=simulated-switch", "vendor=session-migration (test double)"})
@Designate(ocd = SimulatedSwitcher.Config.class)
public class SimulatedSwitcher extends AbstractAccessPortSwitcher {
    static final String PID = "net.sessionmigration.simulated.switch";

    @ObjectClassDefinition(name = "Simulated access-port switcher",
            description = "In-memory VLAN switcher with fault injection, for tests and the demo")
    public @interface Config {
        @AttributeDefinition(description = "Ports that fail to move (device/port, comma list),"
                + " or 'preflight', 'restore'", required = false)
        String fail() default "";

        @AttributeDefinition(description = "Delays, operation=millis: move, restore", required = false)
        String delay() default "";

        @AttributeDefinition(description = "The VLAN a port is on before anything moved it")
        int initialVlan() default 1;

        @AttributeDefinition(description = "VLANs the simulated devices lack (comma list): preflight names"
                + " a move into one", required = false)
        String missingVlans() default "";
    }

    private final Map<AccessPort, VlanId> vlans = new ConcurrentHashMap<>();
    private volatile FaultPlan faults = FaultPlan.NONE;
    private volatile VlanId initialVlan = VlanId.of(1);
    private volatile Set<Integer> missingVlans = Set.of();

    @Activate
    @Modified
    void configure(Config config) {
        faults = FaultPlan.parse(config.fail(), config.delay());
        initialVlan = VlanId.of(config.initialVlan());
        missingVlans = Arrays.stream(config.missingVlans().split(",")).map(String::strip)
                .filter(v -> !v.isEmpty()).map(Integer::valueOf).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Result<Preflight> preflight(List<PortMove> moves) {
        Preflight p = super.preflight(moves).orElseThrow();
        if (!faults.fails("preflight")) {
            return Result.ok(p);
        }
        List<Problem> problems = new ArrayList<>(p.problems());
        problems.add(0, new Problem("simulated-switch", "no answer (injected by configuration)"));
        return Result.ok(new Preflight(problems, p.notes(), p.expectedDuration()));
    }

    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        faults.delay("move");
        return super.move(moves, context);
    }

    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        faults.delay("restore");
        if (faults.fails("restore")) {
            return Result.failed("simulated-switch", "restore failed (injected by configuration)");
        }
        return super.restore(moves, context);
    }

    // ---------------------------------------------------------------- the device

    @Override
    protected Map<String, VlanId> read(String device, List<String> ports) {
        Map<String, VlanId> out = new LinkedHashMap<>();
        ports.forEach(p -> out.put(p, vlans.getOrDefault(new AccessPort(device, p), initialVlan)));
        return out;
    }

    /** Port by port; a port listed in {@code fail} rejects its VLAN, the ones before it stay written. */
    @Override
    protected void write(String device, Map<String, VlanId> ports, DriverContext context) throws DeviceException {
        for (Map.Entry<String, VlanId> e : ports.entrySet()) {
            AccessPort port = new AccessPort(device, e.getKey());
            Instant start = Instant.now();
            if (faults.fails(port.toString())) {
                context.operation(device, "set port " + e.getKey() + " to VLAN " + e.getValue(), start, Instant.now(),
                        "failed (injected)");
                throw new DeviceException("port " + e.getKey() + " rejected VLAN " + e.getValue() + " (injected)");
            }
            vlans.put(port, e.getValue());
            context.operation(device, "set port " + e.getKey() + " to VLAN " + e.getValue(), start, Instant.now(), "ok");
        }
    }

    @Override
    protected Set<VlanId> missingVlans(String device, Set<VlanId> wanted) {
        return wanted.stream().filter(v -> missingVlans.contains(v.value())).collect(Collectors.toSet());
    }
}
