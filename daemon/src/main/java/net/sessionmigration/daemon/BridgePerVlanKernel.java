package net.sessionmigration.daemon;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import net.sessionmigration.netlink.Link;
import net.sessionmigration.netlink.RtNetlink;

/**
 * Bridge per VLAN: VLAN N is the bridge named by {@code gateway.vlanBridge} (br-v{vlan}); a
 * port's VLAN is its master bridge; a move is {@code ip link set dev PORT master br-vN} as one
 * RTM_NEWLINK with IFLA_MASTER, with both links looked up once per batch.
 */
final class BridgePerVlanKernel implements GatewayKernel {
    private final RtNetlink rt;
    private final GatewayConfig config;

    BridgePerVlanKernel(RtNetlink rt, GatewayConfig config) {
        this.rt = rt;
        this.config = config;
    }

    @Override
    public String mode() {
        return GatewayConfig.BRIDGE_PER_VLAN + " (" + config.vlanBridge() + ")";
    }

    record Links(Map<String, Link> byName, Map<Integer, Link> byIndex, GatewayConfig config) implements Snapshot {
        @Override
        public boolean hasPort(String port) {
            Link l = byName.get(port);
            return l != null && !isBridge(l);
        }

        @Override
        public OptionalInt vlan(String port) {
            Link l = byName.get(port);
            Link master = l == null ? null : byIndex.get(l.masterIndex());
            return master == null ? OptionalInt.empty() : config.vlanOfBridge(master.name());
        }

        @Override
        public boolean hasVlan(int vlan) {
            Link b = byName.get(config.bridgeOf(vlan));
            return b != null && isBridge(b);
        }

        @Override
        public String vlanHome(int vlan) {
            return "bridge " + config.bridgeOf(vlan);
        }

        private static boolean isBridge(Link l) {
            return "bridge".equals(l.kind());
        }
    }

    @Override
    public Snapshot snapshot() throws IOException {
        Map<String, Link> byName = new HashMap<>();
        Map<Integer, Link> byIndex = new HashMap<>();
        for (Link l : rt.links()) {
            byName.put(l.name(), l);
            byIndex.put(l.index(), l);
        }
        return new Links(byName, byIndex, config);
    }

    @Override
    public void move(Snapshot snapshot, String port, int from, int to) throws IOException {
        Links s = (Links) snapshot;
        rt.setMaster(s.byName().get(port), s.byName().get(config.bridgeOf(to)));
    }
}
