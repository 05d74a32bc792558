package net.sessionmigration.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The rtnetlink requests this module sends, built the way iproute2 builds them (the unit tests
 * compare them with bytes captured from iproute2). Requests that change state ask for an ACK.
 */
public final class RtnlRequests {
    private static final int CHANGE = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK;
    private static final int DUMP = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP;

    private RtnlRequests() {
    }

    /** {@code ip link show}: dump all links. Stats are skipped: we never read them and they triple the size. */
    public static NetlinkRequest dumpLinks() {
        return dumpLinks(Rtnl.AF_UNSPEC, Rtnl.RTEXT_FILTER_SKIP_STATS);
    }

    public static NetlinkRequest dumpLinks(int family, int extMask) {
        return new NetlinkRequest(Rtnl.RTM_GETLINK, DUMP, new LinkMessage(family, 0, 0, 0, 0,
                List.of(NetlinkAttribute.u32(Rtnl.IFLA_EXT_MASK, extMask))).marshal());
    }

    /** {@code bridge vlan show}: AF_BRIDGE dump with the per-port VLAN lists. */
    public static NetlinkRequest dumpBridgeVlans() {
        return dumpLinks(Rtnl.AF_BRIDGE, Rtnl.RTEXT_FILTER_BRVLAN);
    }

    /**
     * {@code ip link show dev NAME}: one link by name; the kernel answers ENODEV if there is none.
     * No NLM_F_ACK (as iproute2): the one RTM_NEWLINK or NLMSG_ERROR is the whole answer.
     */
    public static NetlinkRequest getLink(String name) {
        return new NetlinkRequest(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST, new LinkMessage(Rtnl.AF_UNSPEC, 0, 0, 0, 0, List.of(
                NetlinkAttribute.u32(Rtnl.IFLA_EXT_MASK, Rtnl.RTEXT_FILTER_VF | Rtnl.RTEXT_FILTER_SKIP_STATS),
                NetlinkAttribute.string(Rtnl.IFLA_IFNAME, requireIfName(name)))).marshal());
    }

    /** {@code ip link set dev PORT master BRIDGE}; {@code masterIndex} 0 is {@code nomaster}. */
    public static NetlinkRequest setMaster(int index, int masterIndex) {
        return new NetlinkRequest(Rtnl.RTM_NEWLINK, CHANGE, new LinkMessage(Rtnl.AF_UNSPEC, 0, index, 0, 0,
                List.of(NetlinkAttribute.u32(Rtnl.IFLA_MASTER, masterIndex))).marshal());
    }

    /** {@code ip link set dev X up|down}: only IFF_UP is in the change mask. */
    public static NetlinkRequest setUp(int index, boolean up) {
        return new NetlinkRequest(Rtnl.RTM_NEWLINK, CHANGE,
                new LinkMessage(Rtnl.AF_UNSPEC, 0, index, up ? Rtnl.IFF_UP : 0, Rtnl.IFF_UP, List.of()).marshal());
    }

    /**
     * {@code ip addr add A/P dev X} (IPv6: {@code ... nodad}). Create-exclusive, so adding an
     * address that is already there fails with EEXIST instead of silently succeeding. IPv6
     * addresses skip duplicate address detection: a moved virtual IP must be usable at once, and
     * the old holder has already dropped it.
     */
    public static NetlinkRequest addAddress(int index, InetAddress address, int prefixLength) {
        return new NetlinkRequest(Rtnl.RTM_NEWADDR, CHANGE | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL,
                addressMessage(index, address, prefixLength,
                        address instanceof Inet6Address ? Rtnl.IFA_F_NODAD : 0).marshal());
    }

    /** {@code ip addr del A/P dev X}. */
    public static NetlinkRequest deleteAddress(int index, InetAddress address, int prefixLength) {
        return new NetlinkRequest(Rtnl.RTM_DELADDR, CHANGE, addressMessage(index, address, prefixLength, 0).marshal());
    }

    /** {@code ip addr show}: family AF_UNSPEC, AF_INET or AF_INET6. */
    public static NetlinkRequest dumpAddresses(int family) {
        return new NetlinkRequest(Rtnl.RTM_GETADDR, DUMP, new AddressMessage(family, 0, 0, 0, 0, List.of()).marshal());
    }

    /**
     * {@code bridge vlan add dev PORT vid V [pvid] [untagged]}: AF_BRIDGE RTM_SETLINK with
     * IFLA_AF_SPEC { IFLA_BRIDGE_VLAN_INFO }. No IFLA_BRIDGE_FLAGS, so the kernel applies it
     * to the port through its bridge master, as iproute2 does by default.
     */
    public static NetlinkRequest addBridgeVlan(int portIndex, BridgeVlanInfo vlan) {
        return bridgeVlan(Rtnl.RTM_SETLINK, portIndex, vlan);
    }

    /** {@code bridge vlan del dev PORT vid V}: the same layout, as RTM_DELLINK. */
    public static NetlinkRequest deleteBridgeVlan(int portIndex, int vid) {
        return bridgeVlan(Rtnl.RTM_DELLINK, portIndex, BridgeVlanInfo.of(vid));
    }

    private static NetlinkRequest bridgeVlan(int type, int portIndex, BridgeVlanInfo vlan) {
        NetlinkAttribute spec = NetlinkAttribute.nested(Rtnl.IFLA_AF_SPEC,
                List.of(new NetlinkAttribute(Rtnl.IFLA_BRIDGE_VLAN_INFO, vlan.marshal())));
        return new NetlinkRequest(type, CHANGE,
                new LinkMessage(Rtnl.AF_BRIDGE, 0, portIndex, 0, 0, List.of(spec)).marshal());
    }

    private static AddressMessage addressMessage(int index, InetAddress address, int prefixLength, int flags) {
        boolean v6 = address instanceof Inet6Address;
        int max = v6 ? 128 : 32;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + ", got " + prefixLength);
        }
        byte[] raw = address.getAddress();
        // iproute2 sends IFA_LOCAL then IFA_ADDRESS, both the address itself (no peer)
        return new AddressMessage(v6 ? Rtnl.AF_INET6 : Rtnl.AF_INET, prefixLength, flags, 0, index, List.of(
                new NetlinkAttribute(Rtnl.IFA_LOCAL, raw), new NetlinkAttribute(Rtnl.IFA_ADDRESS, raw)));
    }

    /** Interface names are at most 15 bytes and cannot contain '/', ':', NUL or whitespace. */
    static String requireIfName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != ':')) {
            throw new IllegalArgumentException("not a valid interface name: \"" + name + "\"");
        }
        return name;
    }
}
