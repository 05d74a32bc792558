package net.sessionmigration.simulated;

import java.time.Duration;
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
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * An access-port switcher whose ports live in memory. A port never seen before is on the
 * configured initial VLAN. A move reads before it writes, as the interface asks: a port already
 * on its {@code to} VLAN counts as moved, a port on a third VLAN refuses the whole move before
 * anything is written. When a port listed in {@code fail} is reached, the move stops and reports
 * the ports it moved; it puts nothing back (the coordinator's restore does). The restore puts
 * back only the ports on their {@code to} VLAN and names those on a third VLAN.
 */
@Component(service = AccessPortSwitcher.class, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        configurationPid = SimulatedSwitcher.PID,
        property = {"driver.type=simulated-switch", "vendor=session-migration (test double)"})
@Designate(ocd = SimulatedSwitcher.Config.class)
public class SimulatedSwitcher implements AccessPortSwitcher {
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
        List<Problem> problems = new ArrayList<>();
        if (faults.fails("preflight")) {
            problems.add(new Problem("simulated-switch", "no answer (injected by configuration)"));
        }
        for (PortMove m : moves) {
            if (missingVlans.contains(m.to().value())) {
                problems.add(new Problem(m.port().device(), "VLAN " + m.to() + " does not exist on "
                        + m.port().device() + " (port " + m.port().port() + ")"));
            }
            VlanId now = vlanOf(m.port());
            if (!now.equals(m.from())) {
                problems.add(new Problem(m.port().device(), "port " + m.port().port() + " is on VLAN " + now
                        + ", the plan expects " + m.from()));
            }
        }
        return Result.ok(new Preflight(problems, List.of(), Duration.ofMillis(moves.isEmpty() ? 0 : 1)));
    }

    @Override
    public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
        Map<AccessPort, VlanId> result = new LinkedHashMap<>();
        ports.forEach(p -> result.put(p, vlanOf(p)));
        return Result.ok(result);
    }

    @Override
    public synchronized Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        faults.delay("move");
        // read before you write: the plan owns only ports on one of its two VLANs
        List<String> taken = new ArrayList<>();
        String device = null;
        for (PortMove m : moves) {
            VlanId now = vlanOf(m.port());
            if (!now.equals(m.from()) && !now.equals(m.to())) {
                device = device == null ? m.port().device() : device;
                taken.add(m.port().device() + " port " + m.port().port() + " (user " + m.user() + ") is on VLAN " + now
                        + ", the plan expects VLAN " + m.from() + " (or its target VLAN " + m.to() + ")");
            }
        }
        if (device != null) {
            return Result.failed(device, String.join("; ", taken) + "; nothing was set");
        }
        List<String> moved = new ArrayList<>();
        int already = 0;
        for (PortMove m : moves) {
            if (vlanOf(m.port()).equals(m.to())) {
                already++; // moved by an earlier call: a move repeated in forward recovery
                moved.add(m.port().toString());
                continue;
            }
            Instant start = Instant.now();
            if (faults.fails(m.port().toString())) {
                context.operation(m.port().device(), "set port " + m.port().port() + " to VLAN " + m.to(),
                        start, Instant.now(), "failed (injected)");
                return Result.failed(m.port().device(), "port " + m.port().port() + " rejected VLAN " + m.to()
                        + " (injected); " + (moved.isEmpty() ? "no port moved" : moved.size()
                        + " port(s) moved before the failure " + moved + ", the coordinator's restore puts them back"));
            }
            vlans.put(m.port(), m.to());
            moved.add(m.port().toString());
            context.operation(m.port().device(), "set port " + m.port().port() + " to VLAN " + m.to(),
                    start, Instant.now(), "ok");
        }
        return Result.ok(OpReport.of("moved " + moves.size() + " port(s)"
                + (already == 0 ? "" : " (" + already + " already on their target VLAN: not set again)")));
    }

    @Override
    public synchronized Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        faults.delay("restore");
        if (faults.fails("restore")) {
            return Result.failed("simulated-switch", "restore failed (injected by configuration)");
        }
        int changed = 0;
        List<String> elsewhere = new ArrayList<>();
        for (PortMove m : moves) {
            VlanId now = vlanOf(m.port());
            if (now.equals(m.to()) && !now.equals(m.from())) {
                Instant start = Instant.now();
                vlans.put(m.port(), m.from());
                changed++;
                context.operation(m.port().device(), "set port " + m.port().port() + " back to VLAN " + m.from(),
                        start, Instant.now(), "ok");
            } else if (!now.equals(m.from())) {
                elsewhere.add(m.port() + " (user " + m.user() + ") on VLAN " + now);
            }
        }
        return Result.ok(OpReport.of("restored " + changed + " port(s)" + (elsewhere.isEmpty() ? ""
                : "; left alone, on another VLAN than the plan's two (taken by someone else since the preflight): "
                        + elsewhere)));
    }

    private VlanId vlanOf(AccessPort port) {
        return vlans.getOrDefault(port, initialVlan);
    }
}
