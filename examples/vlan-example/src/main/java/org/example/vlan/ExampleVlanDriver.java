package org.example.vlan;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import net.sessionmigration.api.driver.base.AbstractAccessPortSwitcher;
import net.sessionmigration.api.driver.base.DeviceException;
import net.sessionmigration.api.model.Names;
import net.sessionmigration.api.model.VlanId;

/**
 * Driver type {@value #TYPE}: moves access ports between VLANs on a fictional device that keeps its
 * port-to-VLAN table in a text file ({@link VlanTable}). Configured by {@code etc/org.example.vlan.cfg}:
 * <pre>
 * devices = sw9=/var/lib/example/sw9.vlans, sw10=/var/lib/example/sw10.vlans
 * </pre>
 * It writes only what is specific to its device: how a port's VLAN is read ({@link #read}), written
 * ({@link #write}) and which VLANs exist ({@link #missingVlans}). {@link AbstractAccessPortSwitcher}
 * does the rest of the contract: read before write, verify by reading back, report what moved and
 * put nothing back (the coordinator's restore does), a stateless restore, the preflight.
 */
@Component(service = AccessPortSwitcher.class, configurationPid = ExampleVlanDriver.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {DriverProperties.DRIVER_TYPE + "=" + ExampleVlanDriver.TYPE,
                DriverProperties.VENDOR + "=Example Networks"})
@Designate(ocd = ExampleVlanDriver.Config.class)
public class ExampleVlanDriver extends AbstractAccessPortSwitcher {
    public static final String PID = "org.example.vlan";
    /** What plans name in {@code "devices": {"sw9": {"driver": "example-vlan"}}}. */
    public static final String TYPE = "example-vlan";

    @ObjectClassDefinition(name = "Example VLAN driver", description = "Devices whose VLAN table is a text file")
    public @interface Config {
        @AttributeDefinition(description = "Each device the plans name and its table file: name=/absolute/path,"
                + " comma separated, e.g. sw9=/var/lib/example/sw9.vlans")
        String devices();
    }

    private volatile Map<String, Path> devices = Map.of();
    /** One lock per device: a write is a read-modify-write of the whole table, and two migrations may move
     *  different ports of one device at the same time. */
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

    // ---------------------------------------------------------------- the device

    @Override
    protected Map<String, VlanId> read(String device, List<String> ports) throws DeviceException {
        VlanTable table = table(device);
        Map<String, VlanId> out = new LinkedHashMap<>();
        for (String port : ports) {
            VlanId vlan = table.ports().get(port);
            if (vlan == null) {
                throw new DeviceException("port " + port + " is not in the VLAN table of " + device);
            }
            out.put(port, vlan);
        }
        return out;
    }

    /** Rewrites the device's whole table with these ports changed, and records the operation. */
    @Override
    protected void write(String device, Map<String, VlanId> vlans, DriverContext context) throws DeviceException {
        Path file = fileOf(device);
        ReentrantLock lock = locks.computeIfAbsent(device, d -> new ReentrantLock());
        Instant start = Instant.now();
        String outcome = "ok";
        lock.lock();
        try {
            VlanTable table = table(device);
            for (Map.Entry<String, VlanId> e : vlans.entrySet()) {
                table = table.with(e.getKey(), e.getValue());
            }
            table.write(file);
        } catch (IOException e) {
            outcome = "cannot write the VLAN table " + file + ": " + why(e);
            throw new DeviceException(outcome, e);
        } finally {
            lock.unlock();
            context.operation(device, "write " + vlans, start, Instant.now(), outcome);
        }
    }

    @Override
    protected Set<VlanId> missingVlans(String device, Set<VlanId> vlans) throws DeviceException {
        Set<VlanId> present = table(device).vlans();
        return vlans.stream().filter(v -> !present.contains(v)).collect(Collectors.toSet());
    }

    private Path fileOf(String device) throws DeviceException {
        Path file = devices.get(device);
        if (file == null) {
            throw new DeviceException("device " + device + " is not configured: add " + device
                    + "=/path/to/its.vlans to 'devices' in " + PID + ".cfg");
        }
        return file;
    }

    private VlanTable table(String device) throws DeviceException {
        Path file = fileOf(device);
        try {
            return VlanTable.read(file);
        } catch (IOException e) {
            throw new DeviceException("cannot read the VLAN table " + file + ": " + why(e), e);
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
}
