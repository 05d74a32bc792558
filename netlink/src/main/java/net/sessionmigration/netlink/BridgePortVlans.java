package net.sessionmigration.netlink;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * One entry of an AF_BRIDGE RTM_GETLINK dump requested with RTEXT_FILTER_BRVLAN: a bridge port
 * (or the bridge itself) and the VLANs configured on it. Empty when the bridge does not filter
 * VLANs (as on the lab kernel).
 */
public record BridgePortVlans(int index, String name, int masterIndex, List<BridgeVlanInfo> vlans) {

    public BridgePortVlans {
        vlans = List.copyOf(vlans);
    }

    /** The port's PVID, i.e. the VLAN untagged frames arriving on it are put in. */
    public OptionalInt pvid() {
        return vlans.stream().filter(BridgeVlanInfo::isPvid).mapToInt(BridgeVlanInfo::vid).findFirst();
    }

    /**
     * Decodes an AF_BRIDGE RTM_NEWLINK. IFLA_AF_SPEC holds one IFLA_BRIDGE_VLAN_INFO per VLAN;
     * a RANGE_BEGIN/RANGE_END pair (sent with RTEXT_FILTER_BRVLAN_COMPRESSED) is expanded.
     */
    public static BridgePortVlans from(LinkMessage m) {
        if (m.family() != Rtnl.AF_BRIDGE) {
            throw new IllegalArgumentException("not an AF_BRIDGE link message: family " + m.family());
        }
        Link link = Link.from(m);
        List<BridgeVlanInfo> vlans = new ArrayList<>();
        m.attribute(Rtnl.IFLA_AF_SPEC).ifPresent(spec -> {
            BridgeVlanInfo rangeStart = null;
            for (NetlinkAttribute a : spec.asNested()) {
                if (a.kind() != Rtnl.IFLA_BRIDGE_VLAN_INFO) {
                    continue;
                }
                BridgeVlanInfo v = BridgeVlanInfo.unmarshal(a.value());
                int plain = v.flags() & ~(Rtnl.BRIDGE_VLAN_INFO_RANGE_BEGIN | Rtnl.BRIDGE_VLAN_INFO_RANGE_END);
                if ((v.flags() & Rtnl.BRIDGE_VLAN_INFO_RANGE_BEGIN) != 0) {
                    rangeStart = v;
                } else if ((v.flags() & Rtnl.BRIDGE_VLAN_INFO_RANGE_END) != 0 && rangeStart != null) {
                    for (int vid = rangeStart.vid(); vid <= v.vid(); vid++) {
                        vlans.add(new BridgeVlanInfo(plain, vid));
                    }
                    rangeStart = null;
                } else {
                    vlans.add(new BridgeVlanInfo(plain, v.vid()));
                }
            }
        });
        return new BridgePortVlans(link.index(), link.name(), link.masterIndex(), vlans);
    }
}
