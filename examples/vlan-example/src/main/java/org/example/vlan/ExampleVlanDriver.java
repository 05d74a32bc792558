package org.example.vlan;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
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
import net.sessionmigration.api.driver.DriverProperties;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.Names;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * Driver type {@value #TYPE}: moves access ports between VLANs on a fictional device that keeps its
 * port-to-VLAN table in a text file ({@link VlanTable}). Configured by {@code etc/org.example.vlan.cfg}:
 * <pre>
 * devices = sw9=/var/lib/example/sw9.vlans, sw10=/var/lib/example/sw10.vlans
 * </pre>
 * A move reads every table again and refuses (changing nothing) when a port is on neither its from
 * nor its to VLAN (someone else took it) or a target VLAN does not exist; a port already on its to
 * VLAN counts as moved, so a repeated move is harmless. Then it writes the tables one device at a
 * time; when a write fails it stops and says which ports moved. It puts nothing back: undo is the
 * restore's, which the coordinator calls after a failed move (and retries). A restore reads each
 * table, puts back the ports on their to VLAN, leaves the ports on their from VLAN, leaves and names
 * the ports on any other VLAN, and writes only the devices where a port changes.
 */
@Component(service = AccessPortSwitcher.class, configurationPid = ExampleVlanDriver.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {DriverProperties.DRIVER_TYPE + "=" + ExampleVlanDriver.TYPE,
                DriverProperties.VENDOR + "=Example Networks"})
@Designate(ocd = ExampleVlanDriver.Config.class)
public class ExampleVlanDriver implements AccessPortSwitcher {
    public static final String PID = "org.example.vlan";
    /** What plans name in {@code "devices": {"sw9": {"driver": "example-vlan"}}}. */
    public static final String TYPE = "example-vlan";

    @ObjectClassDefinition(name = "Example VLAN driver", description = "Devices whose VLAN table is a text file")
    public @interface Config {
        @AttributeDefinition(description = "Each device the plans name and its table file: name=/absolute/path,"
                + " comma separated, e.g. sw9=/var/lib/example/sw9.vlans")
        String devices();
    }

    /** A failure of one device, carried to the Result that reports it. */
    private static final class DeviceProblem extends Exception {
        final Problem problem;

        DeviceProblem(String device, String cause) {
            super(cause, null, false, false);
            problem = new Problem(device, cause);
        }
    }

    private volatile Map<String, Path> devices = Map.of();
    /** One lock per device: two migrations may move different ports of one device at the same time. */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    @Activate
    @Modified
    void activate(Config config) {
        configure(config.devices());
    }

    /** Applies the {@code devices} setting; a bad one is refused with a message that names it. */
    void configure(String devicesSetting) {
        devices = parseDevices(devicesSetting);
    }

    static Map<String, Path> parseDevices(String setting) {
        String example = "; write name=/absolute/path, comma separated, e.g. devices = sw9=/var/lib/example/sw9.vlans";
        if (setting == null || setting.isBlank()) {
            throw new IllegalArgumentException("devices: not set" + example);
        }
        Map<String, Path> out = new LinkedHashMap<>();
        for (String entry : setting.split(",")) {
            String e = entry.strip();
            int eq = e.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("devices: '" + e + "' is not name=path" + example);
            }
            String name = e.substring(0, eq).strip();
            String file = e.substring(eq + 1).strip();
            if (!Names.isValid(name)) {
                throw new IllegalArgumentException("devices: '" + name + "' is not a valid device name" + example);
            }
            if (file.isEmpty() || !Path.of(file).isAbsolute()) {
                throw new IllegalArgumentException("devices: the file of " + name + " must be an absolute path, not '"
                        + file + "'" + example);
            }
            if (out.put(name, Path.of(file)) != null) {
                throw new IllegalArgumentException("devices: " + name + " is listed twice");
            }
        }
        return Map.copyOf(out);
    }

    // ---------------------------------------------------------------- AccessPortSwitcher

    @Override
    public Result<Preflight> preflight(List<PortMove> moves) {
        List<Problem> problems = new ArrayList<>();
        for (Map.Entry<String, List<PortMove>> d : byDevice(moves).entrySet()) {
            try {
                VlanTable table = read(d.getKey());
                for (PortMove m : d.getValue()) {
                    try {
                        checkFrom(d.getKey(), table, m, false);
                    } catch (DeviceProblem e) {
                        problems.add(e.problem); // every port that is elsewhere, not just the first
                    }
                }
                checkTargetsExist(d.getKey(), table, d.getValue());
            } catch (DeviceProblem e) {
                problems.add(e.problem);
            }
        }
        return Result.ok(new Preflight(problems, List.of(), Duration.ofMillis(10)));
    }

    @Override
    public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
        Map<AccessPort, VlanId> out = new LinkedHashMap<>();
        Map<String, VlanTable> tables = new LinkedHashMap<>();
        try {
            for (AccessPort p : ports) {
                VlanTable table = tables.get(p.device());
                if (table == null) { // each device's table is read once
                    table = read(p.device());
                    tables.put(p.device(), table);
                }
                out.put(p, vlanOf(p.device(), table, p.port()));
            }
        } catch (DeviceProblem e) {
            return Result.failed(e.problem);
        }
        return Result.ok(out);
    }

    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        Map<String, List<PortMove>> byDevice = byDevice(moves);
        lock(byDevice.keySet());
        try {
            // read again and check everything before the first write: a refusal changes nothing
            Map<String, VlanTable> before = new LinkedHashMap<>();
            Map<String, List<PortMove>> toWrite = new LinkedHashMap<>();
            List<String> already = new ArrayList<>();
            for (Map.Entry<String, List<PortMove>> d : byDevice.entrySet()) {
                VlanTable table = read(d.getKey());
                List<PortMove> pending = new ArrayList<>();
                for (PortMove m : d.getValue()) {
                    if (m.to().equals(vlanOf(d.getKey(), table, m.port().port()))) {
                        already.add(m.port().toString()); // moved by an earlier call (a move repeated after a crash)
                    } else {
                        checkFrom(d.getKey(), table, m, true);
                        pending.add(m);
                    }
                }
                checkTargetsExist(d.getKey(), table, d.getValue());
                before.put(d.getKey(), table);
                if (!pending.isEmpty()) {
                    toWrite.put(d.getKey(), pending);
                }
            }
            List<String> moved = new ArrayList<>(already);
            for (Map.Entry<String, List<PortMove>> d : toWrite.entrySet()) {
                VlanTable after = before.get(d.getKey());
                for (PortMove m : d.getValue()) {
                    after = after.with(m.port().port(), m.to());
                }
                try {
                    write(d.getKey(), after, "move " + ports(d.getValue()), context);
                    d.getValue().forEach(m -> moved.add(m.port().toString()));
                } catch (DeviceProblem e) {
                    // stop here and say what moved; the coordinator's restore puts it back
                    return Result.failed(d.getKey(), e.getMessage() + "; ports " + ports(d.getValue()) + " not moved; "
                            + (moved.isEmpty() ? "no port moved" : moved.size() + " port(s) moved before the failure "
                            + moved + ", the coordinator's restore puts them back"));
                }
            }
            return Result.ok(OpReport.of("moved " + moves.size() + " port(s) on " + byDevice.keySet()
                    + (already.isEmpty() ? "" : " (" + already.size() + " already on their target VLAN)")));
        } catch (DeviceProblem e) { // found before the first write
            return Result.failed(e.problem.device(), e.problem.cause() + "; nothing was changed");
        } finally {
            unlock(byDevice.keySet());
        }
    }

    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        // best effort per device: one device that does not answer must not keep the others' users away
        Map<String, List<PortMove>> byDevice = byDevice(moves);
        List<Problem> problems = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        int changed = 0;
        int already = 0;
        lock(byDevice.keySet());
        try {
            for (Map.Entry<String, List<PortMove>> d : byDevice.entrySet()) {
                try {
                    VlanTable table = read(d.getKey());
                    List<PortMove> back = new ArrayList<>();
                    List<String> left = new ArrayList<>();
                    int here = 0;
                    for (PortMove m : d.getValue()) {
                        VlanId now = vlanOf(d.getKey(), table, m.port().port());
                        if (now.equals(m.from())) {
                            here++; // never moved, or already back: left alone
                        } else if (now.equals(m.to())) {
                            back.add(m); // what a move moved
                        } else {
                            // someone else took it since the preflight: not ours to move
                            left.add(m.port() + " (user " + m.user() + ") on VLAN " + now);
                        }
                    }
                    if (!back.isEmpty()) {
                        VlanTable after = table;
                        for (PortMove m : back) {
                            after = after.with(m.port().port(), m.from());
                        }
                        write(d.getKey(), after, "restore " + ports(back.stream().map(PortMove::reversed).toList()),
                                context);
                        changed += back.size();
                    }
                    already += here;
                    elsewhere.addAll(left);
                } catch (DeviceProblem e) {
                    problems.add(e.problem);
                }
            }
        } finally {
            unlock(byDevice.keySet());
        }
        String done = "restored " + changed + " port(s), " + already + " already on their VLAN"
                + (elsewhere.isEmpty() ? "" : "; left alone, on another VLAN than the plan's two (taken by someone"
                + " else since the preflight): " + elsewhere);
        if (problems.isEmpty()) {
            return Result.ok(OpReport.of(done));
        }
        return Result.failed(problems.get(0).device(), problems.stream().map(Problem::toString)
                .collect(Collectors.joining("; ")) + "; on the other devices: " + done);
    }

    // ---------------------------------------------------------------- the device

    private Path fileOf(String device) throws DeviceProblem {
        Path file = devices.get(device);
        if (file == null) {
            throw new DeviceProblem(device, "device " + device + " is not configured: add " + device
                    + "=/path/to/its.vlans to 'devices' in " + PID + ".cfg");
        }
        return file;
    }

    private VlanTable read(String device) throws DeviceProblem {
        Path file = fileOf(device);
        try {
            return VlanTable.read(file);
        } catch (IOException e) {
            throw new DeviceProblem(device, "cannot read the VLAN table " + file + ": " + why(e));
        }
    }

    /** Writes one device's whole table, reads it back to verify, and records the operation. */
    private void write(String device, VlanTable table, String what, DriverContext context) throws DeviceProblem {
        Path file = fileOf(device);
        Instant start = Instant.now();
        String outcome = "ok";
        try {
            table.write(file);
            if (!VlanTable.read(file).equals(table)) {
                throw new IOException("the table read back differs from the one written");
            }
        } catch (IOException e) {
            outcome = "cannot write the VLAN table " + file + ": " + why(e);
            throw new DeviceProblem(device, outcome);
        } finally {
            context.operation(device, what, start, Instant.now(), outcome);
        }
    }

    private static VlanId vlanOf(String device, VlanTable table, String port) throws DeviceProblem {
        VlanId vlan = table.ports().get(port);
        if (vlan == null) {
            throw new DeviceProblem(device, "port " + port + " is not in the VLAN table of " + device);
        }
        return vlan;
    }

    /** @param moving a move also takes a port already on its target VLAN, and says so */
    private static void checkFrom(String device, VlanTable table, PortMove m, boolean moving) throws DeviceProblem {
        VlanId now = vlanOf(device, table, m.port().port());
        if (!now.equals(m.from())) {
            throw new DeviceProblem(device, "port " + m.port().port() + " (user " + m.user() + ") is on VLAN " + now
                    + ", the plan expects VLAN " + m.from() + (moving ? " (or its target VLAN " + m.to() + ")" : ""));
        }
    }

    private static void checkTargetsExist(String device, VlanTable table, List<PortMove> moves) throws DeviceProblem {
        Set<VlanId> missing = moves.stream().map(PortMove::to).filter(v -> !table.vlans().contains(v))
                .collect(Collectors.toCollection(TreeSet::new));
        if (!missing.isEmpty()) {
            throw new DeviceProblem(device, "VLAN " + missing.stream().map(VlanId::toString)
                    .collect(Collectors.joining(", ")) + " does not exist on " + device + " (it has " + table.vlans() + ")");
        }
    }

    private static String why(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Map<String, List<PortMove>> byDevice(List<PortMove> moves) {
        Map<String, List<PortMove>> out = new LinkedHashMap<>();
        moves.forEach(m -> out.computeIfAbsent(m.port().device(), d -> new ArrayList<>()).add(m));
        return out;
    }

    private static List<String> ports(List<PortMove> moves) {
        return moves.stream().map(m -> m.port().port() + "→" + m.to()).toList();
    }

    /** Locks the devices in name order, so two moves that share devices can never wait for each other. */
    private void lock(Set<String> names) {
        new TreeSet<>(names).forEach(d -> locks.computeIfAbsent(d, k -> new ReentrantLock()).lock());
    }

    private void unlock(Set<String> names) {
        names.forEach(d -> locks.get(d).unlock());
    }
}
