package net.sessionmigration.vlan.qbridge;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * The snmp-qbridge driver as a DS service: profiles and credentials arrive as
 * {@link SwitchDeviceConfig} / {@link SnmpCredentialConfig} components, one per factory
 * configuration, and are looked up by name on every operation.
 */
@Component(service = {AccessPortSwitcher.class, CredentialStore.class},
        property = {"driver.type=snmp-qbridge", "vendor=session-migration"})
public class QBridgeSwitcherComponent implements AccessPortSwitcher, QBridgeSwitcher.Profiles, CredentialStore {
    private static final Logger LOG = LoggerFactory.getLogger(QBridgeSwitcherComponent.class);

    private final List<SwitchDeviceConfig> devices = new CopyOnWriteArrayList<>();
    private final Map<String, SnmpCredential> credentials = new ConcurrentHashMap<>();
    private volatile QBridgeSwitcher switcher;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDevice(SwitchDeviceConfig device) {
        devices.add(device);
        LOG.info("switch profile {} ({}, {}, {}, {})", device.profile().name(), device.profile().target(),
                device.profile().version(), device.profile().style(), device.profile().credential());
    }

    void removeDevice(SwitchDeviceConfig device) {
        devices.remove(device);
        QBridgeSwitcher s = switcher;
        if (s != null) {
            s.forget(device.profile().name());
        }
    }

    @Override
    public void put(String configurationPid, SnmpCredential credential) {
        credentials.put(configurationPid, credential);
        LOG.info("SNMP {}", credential);
        forgetAll();
    }

    @Override
    public void remove(String configurationPid) {
        credentials.remove(configurationPid);
        forgetAll();
    }

    private void forgetAll() {
        QBridgeSwitcher s = switcher;
        if (s != null) {
            s.forgetAll();
        }
    }

    @Activate
    void activate() {
        switcher = new QBridgeSwitcher(this);
    }

    @Deactivate
    void deactivate() {
        QBridgeSwitcher s = switcher;
        switcher = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public Optional<DeviceProfile> device(String name) {
        return devices.stream().map(SwitchDeviceConfig::profile).filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public Optional<SnmpCredential> credential(String name) {
        return credentials.values().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    @Override
    public Result<Preflight> preflight(List<PortMove> moves) {
        return switcher.preflight(moves);
    }

    @Override
    public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
        return switcher.readVlans(ports);
    }

    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        return switcher.move(moves, context);
    }

    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        return switcher.restore(moves, context);
    }
}
