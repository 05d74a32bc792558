package net.sessionmigration.netlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rtnetlink operations the daemon needs: links, bridge ports, bridge VLANs and addresses.
 * One instance holds one netlink socket in one network namespace; it is thread-safe (requests
 * are serialised) and meant to live as long as the daemon, so a port move costs one
 * round trip to the kernel rather than a process start.
 */
public final class RtNetlink implements AutoCloseable {
    private final NetlinkSocket socket;

    private RtNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a client in the calling thread's network namespace. */
    public static RtNetlink open() throws NetlinkException {
        return new RtNetlink(NetlinkSocket.open());
    }

    /** Opens a client in {@code /run/netns/NAME}; the calling thread stays in its own namespace. */
    public static RtNetlink openInNamespace(String name) throws java.io.IOException {
        return NetNamespace.call(name, RtNetlink::open);
    }

    // ---- links ------------------------------------------------------------------------------

    public List<Link> links() throws NetlinkException {
        List<Link> out = new ArrayList<>();
        for (NetlinkMessage m : socket.execute(RtnlRequests.dumpLinks(), "list links")) {
            if (m.type() == Rtnl.RTM_NEWLINK) {
                out.add(Link.from(LinkMessage.unmarshal(m.payload())));
            }
        }
        return out;
    }

    /** The link with that name, or empty if there is none. */
    public Optional<Link> link(String name) throws NetlinkException {
        try {
            for (NetlinkMessage m : socket.execute(RtnlRequests.getLink(name), "get link " + name)) {
                if (m.type() == Rtnl.RTM_NEWLINK) {
                    return Optional.of(Link.from(LinkMessage.unmarshal(m.payload())));
                }
            }
            return Optional.empty();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The link with that name; fails with {@code get link: no link named NAME (ENODEV)} if there is none. */
    public Link requireLink(String name) throws NetlinkException {
        return link(name).orElseThrow(() -> NetlinkException.noSuchLink("get link", name));
    }

    /** Moves {@code port} under bridge {@code master} ({@code ip link set dev PORT master MASTER}). */
    public void setMaster(String port, String master) throws NetlinkException {
        String op = "set master of " + port + " to " + master;
        Link p = link(port).orElseThrow(() -> NetlinkException.noSuchLink(op, port));
        Link m = link(master).orElseThrow(() -> NetlinkException.noSuchLink(op, master));
        setMaster(p, m);
    }

    /** The same with links already looked up: one round trip, for the hot path of a migration. */
    public void setMaster(Link port, Link master) throws NetlinkException {
        socket.execute(RtnlRequests.setMaster(port.index(), master.index()),
                "set master of " + port.name() + " to " + master.name());
    }

    /** {@code ip link set dev PORT nomaster}. */
    public void removeMaster(String port) throws NetlinkException {
        Link p = requireLink(port);
        socket.execute(RtnlRequests.setMaster(p.index(), 0), "remove master of " + port);
    }

    public void setUp(String name) throws NetlinkException {
        setUp(requireLink(name), true);
    }

    public void setDown(String name) throws NetlinkException {
        setUp(requireLink(name), false);
    }

    public void setUp(Link link, boolean up) throws NetlinkException {
        socket.execute(RtnlRequests.setUp(link.index(), up), "set " + link.name() + (up ? " up" : " down"));
    }

    // ---- addresses --------------------------------------------------------------------------

    /** All IPv4 and IPv6 addresses in the namespace. */
    public List<Address> addresses() throws NetlinkException {
        List<Address> out = new ArrayList<>();
        for (NetlinkMessage m : socket.execute(RtnlRequests.dumpAddresses(Rtnl.AF_UNSPEC), "list addresses")) {
            if (m.type() == Rtnl.RTM_NEWADDR) {
                AddressMessage a = AddressMessage.unmarshal(m.payload());
                if (a.family() == Rtnl.AF_INET || a.family() == Rtnl.AF_INET6) {
                    out.add(Address.from(a));
                }
            }
        }
        return out;
    }

    public List<Address> addresses(String linkName) throws NetlinkException {
        int index = requireLink(linkName).index();
        return addresses().stream().filter(a -> a.index() == index).toList();
    }

    /** {@code ip addr add ADDRESS/PREFIX dev LINK}; EEXIST if it is already there. */
    public void addAddress(String linkName, InetAddress address, int prefixLength) throws NetlinkException {
        Link l = requireLink(linkName);
        socket.execute(RtnlRequests.addAddress(l.index(), address, prefixLength),
                "add address " + address.getHostAddress() + "/" + prefixLength + " to " + linkName);
    }

    /** {@code ip addr del ADDRESS/PREFIX dev LINK}; EADDRNOTAVAIL if it is not there. */
    public void deleteAddress(String linkName, InetAddress address, int prefixLength) throws NetlinkException {
        Link l = requireLink(linkName);
        socket.execute(RtnlRequests.deleteAddress(l.index(), address, prefixLength),
                "delete address " + address.getHostAddress() + "/" + prefixLength + " from " + linkName);
    }

    // ---- bridge VLAN filtering ---------------------------------------------------------------

    /** {@code bridge vlan add dev PORT vid V [pvid] [untagged]}. Needs a VLAN-filtering bridge. */
    public void addBridgeVlan(String port, BridgeVlanInfo vlan) throws NetlinkException {
        Link p = requireLink(port);
        socket.execute(RtnlRequests.addBridgeVlan(p.index(), vlan),
                "add VLAN " + vlan.vid() + describeFlags(vlan) + " on " + port);
    }

    /** {@code bridge vlan del dev PORT vid V}. */
    public void deleteBridgeVlan(String port, int vid) throws NetlinkException {
        Link p = requireLink(port);
        socket.execute(RtnlRequests.deleteBridgeVlan(p.index(), vid), "delete VLAN " + vid + " from " + port);
    }

    /**
     * Moves an access port from VLAN {@code fromVid} to {@code toVid}: first adds the new VLAN as
     * PVID + untagged (the kernel moves the PVID with it), then removes the old one. Two
     * messages, sent one after the other: if the first fails nothing has changed; if the second
     * fails the port already forwards in the new VLAN and still carries the old one, which the
     * exception says.
     */
    public void moveAccessVlan(String port, int fromVid, int toVid) throws NetlinkException {
        Link p = requireLink(port);
        socket.execute(RtnlRequests.addBridgeVlan(p.index(), BridgeVlanInfo.accessVlan(toVid)),
                "move " + port + " from VLAN " + fromVid + " to " + toVid + ": add VLAN " + toVid + " (pvid untagged)");
        socket.execute(RtnlRequests.deleteBridgeVlan(p.index(), fromVid),
                "move " + port + " from VLAN " + fromVid + " to " + toVid + ": VLAN " + toVid
                        + " is now the PVID, but removing VLAN " + fromVid + " failed");
    }

    /** {@code bridge vlan show}: the VLANs of every bridge port (empty lists without VLAN filtering). */
    public List<BridgePortVlans> bridgeVlans() throws NetlinkException {
        List<BridgePortVlans> out = new ArrayList<>();
        for (NetlinkMessage m : socket.execute(RtnlRequests.dumpBridgeVlans(), "list bridge VLANs")) {
            if (m.type() == Rtnl.RTM_NEWLINK) {
                out.add(BridgePortVlans.from(LinkMessage.unmarshal(m.payload())));
            }
        }
        return out;
    }

    private static String describeFlags(BridgeVlanInfo v) {
        return (v.isPvid() ? " pvid" : "") + (v.isUntagged() ? " untagged" : "");
    }

    /** The underlying socket, for requests this class does not wrap. */
    public NetlinkSocket socket() {
        return socket;
    }

    @Override
    public void close() {
        socket.close();
    }
}
