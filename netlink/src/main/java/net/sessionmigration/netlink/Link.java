package net.sessionmigration.netlink;

import java.util.Optional;

/**
 * A network interface as RTM_NEWLINK describes it.
 *
 * @param masterIndex index of the bridge (or bond) this link is enslaved to, 0 if none
 * @param kind        IFLA_INFO_KIND such as {@code bridge} or {@code veth}; empty if the kernel gave none
 */
public record Link(int index, String name, int flags, int masterIndex, Optional<MacAddress> mac, int mtu,
                   int operState, String kind) {

    public boolean isUp() {
        return (flags & Rtnl.IFF_UP) != 0;
    }

    public boolean hasMaster() {
        return masterIndex != 0;
    }

    public static Link from(LinkMessage m) {
        String name = m.attribute(Rtnl.IFLA_IFNAME).map(NetlinkAttribute::asString).orElse("");
        int master = m.attribute(Rtnl.IFLA_MASTER).map(NetlinkAttribute::asU32).orElse(0);
        Optional<MacAddress> mac = m.attribute(Rtnl.IFLA_ADDRESS)
                .filter(a -> a.value().length == 6).map(a -> MacAddress.of(a.value()));
        int mtu = m.attribute(Rtnl.IFLA_MTU).map(NetlinkAttribute::asU32).orElse(0);
        int oper = m.attribute(Rtnl.IFLA_OPERSTATE).map(NetlinkAttribute::asU8).orElse(Rtnl.IF_OPER_UNKNOWN);
        String kind = m.attribute(Rtnl.IFLA_LINKINFO)
                .flatMap(li -> NetlinkAttribute.Attributes.find(li.asNested(), Rtnl.IFLA_INFO_KIND))
                .map(NetlinkAttribute::asString).orElse("");
        return new Link(m.index(), name, m.flags(), master, mac, mtu, oper, kind);
    }
}
