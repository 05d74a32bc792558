package net.sessionmigration.vlan.netlink;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * The netlink-gateway driver as a DS service: gateways arrive as {@link GatewayDeviceConfig}
 * components, one per factory configuration, and are looked up by name on every operation.
 */
@Component(service = AccessPortSwitcher.class,
        property = {"driver.type=" + NetlinkGatewaySwitcher.DRIVER_TYPE, "vendor=session-migration"})
public class NetlinkGatewaySwitcherComponent implements AccessPortSwitcher {
    private static final Logger LOG = Logger.getLogger(NetlinkGatewaySwitcherComponent.class.getName());

    private final List<GatewayDeviceConfig> gateways = new CopyOnWriteArrayList<>();
    private volatile NetlinkGatewaySwitcher switcher;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addGateway(GatewayDeviceConfig g) {
        gateways.add(g);
        LOG.info("gateway " + g.client().name() + " at " + g.client().url()); // never the passwords
    }

    void removeGateway(GatewayDeviceConfig g) {
        gateways.remove(g);
    }

    Optional<GatewayClient> gateway(String name) {
        return gateways.stream().map(GatewayDeviceConfig::client).filter(c -> c.name().equals(name)).findFirst();
    }

    @Activate
    void activate() {
        switcher = new NetlinkGatewaySwitcher(this::gateway);
    }

    @Deactivate
    void deactivate() {
        NetlinkGatewaySwitcher s = switcher;
        switcher = null;
        if (s != null) {
            s.close();
        }
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
