package net.sessionmigration.daemon;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import net.sessionmigration.netlink.BridgePortVlans;
import net.sessionmigration.netlink.BridgeVlanInfo;
import net.sessionmigration.netlink.Link;
import net.sessionmigration.netlink.NetlinkRequest;
import net.sessionmigration.netlink.RtNetlink;
import net.sessionmigration.netlink.RtnlRequests;

/**
 * One VLAN-aware bridge ({@code gateway.bridge}): a port's VLAN is its PVID; a move is two
 * AF_BRIDGE messages, RTM_SETLINK IFLA_AF_SPEC{IFLA_BRIDGE_VLAN_INFO{PVID|UNTAGGED, to}} then
 * RTM_DELLINK IFLA_AF_SPEC{IFLA_BRIDGE_VLAN_INFO{from}} ({@code bridge vlan add dev P vid TO
 * pvid untagged; bridge vlan del dev P vid FROM}). A VLAN "exists" when the bridge itself
 * ({@code self}) or another of its ports (an uplink) carries it.
 * <p>
 * The lab kernel has no CONFIG_BRIDGE_VLAN_FILTERING: this mode is tested by its requests'
 * bytes ({@code VlanFilteringKernelTest}) and live in a QEMU guest on Debian's 6.1 kernel
 * ({@code bundles/vlan-netlink} {@code VlanFilteringVmIT}).
 */
final class VlanFilteringKernel implements GatewayKernel {
    private final RtNetlink rt;
    private final GatewayConfig config;

    VlanFilteringKernel(RtNetlink rt, GatewayConfig config) {
        this.rt = rt;
        this.config = config;
    }

    @Override
    public String mode() {
        return GatewayConfig.VLAN_FILTERING + " (bridge " + config.bridge() + ")";
    }

    /** The two requests that move one access port from VLAN {@code from} to {@code to}, in order. */
    static List<NetlinkRequest> moveRequests(int portIndex, int from, int to) {
        return List.of(RtnlRequests.addBridgeVlan(portIndex, BridgeVlanInfo.accessVlan(to)),
                RtnlRequests.deleteBridgeVlan(portIndex, from));
    }

    record Ports(String bridge, Map<String, Link> ports, Map<String, OptionalInt> pvids, Set<Integer> vlans)
            implements Snapshot {
        @Override
        public boolean hasPort(String port) {
            return ports.containsKey(port);
        }

        @Override
        public OptionalInt vlan(String port) {
            return pvids.getOrDefault(port, OptionalInt.empty());
        }

        @Override
        public boolean hasVlan(int vlan) {
            return vlans.contains(vlan);
        }

        @Override
        public String vlanHome(int vlan) {
            return "VLAN " + vlan + " on bridge " + bridge;
        }
    }

    /** Builds the snapshot from a links dump and an AF_BRIDGE VLAN dump (package-private for tests). */
    static Ports snapshotOf(String bridgeName, List<Link> links, List<BridgePortVlans> vlanDump) throws IOException {
        Link bridge = links.stream().filter(l -> l.name().equals(bridgeName)).findFirst()
                .orElseThrow(() -> new IOException("VLAN-aware bridge " + bridgeName + " does not exist"));
        Map<String, Link> ports = new HashMap<>();
        for (Link l : links) {
            if (l.masterIndex() == bridge.index()) {
                ports.put(l.name(), l);
            }
        }
        Map<String, OptionalInt> pvids = new HashMap<>();
        Set<Integer> vlans = new HashSet<>();
        for (BridgePortVlans b : vlanDump) {
            if (b.index() == bridge.index()) {
                b.vlans().forEach(v -> vlans.add(v.vid()));
            } else if (ports.containsKey(b.name())) {
                pvids.put(b.name(), b.pvid());
                b.vlans().forEach(v -> vlans.add(v.vid()));
            }
        }
        return new Ports(bridgeName, ports, pvids, vlans);
    }

    @Override
    public Snapshot snapshot() throws IOException {
        return snapshotOf(config.bridge(), rt.links(), rt.bridgeVlans());
    }

    @Override
    public void move(Snapshot snapshot, String port, int from, int to) throws IOException {
        Link p = ((Ports) snapshot).ports().get(port);
        List<NetlinkRequest> reqs = moveRequests(p.index(), from, to);
        rt.socket().execute(reqs.get(0), "move " + port + " from VLAN " + from + " to " + to + ": add VLAN " + to
                + " (pvid untagged)");
        if (from != to) {
            rt.socket().execute(reqs.get(1), "move " + port + " from VLAN " + from + " to " + to + ": VLAN " + to
                    + " is now the PVID, but removing VLAN " + from + " failed");
        }
    }
}
