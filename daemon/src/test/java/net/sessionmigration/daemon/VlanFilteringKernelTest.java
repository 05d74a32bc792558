package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import net.sessionmigration.netlink.BridgePortVlans;
import net.sessionmigration.netlink.BridgeVlanInfo;
import net.sessionmigration.netlink.Link;
import net.sessionmigration.netlink.NetlinkRequest;

/**
 * The VLAN-filtering mode of the gateway. The lab kernel has no CONFIG_BRIDGE_VLAN_FILTERING,
 * so this mode never runs live here: its requests are compared with bytes laid out by hand
 * from the uapi headers (linux/netlink.h nlmsghdr, linux/rtnetlink.h ifinfomsg, linux/if_link.h
 * IFLA_AF_SPEC = 26, linux/if_bridge.h IFLA_BRIDGE_VLAN_INFO = 2, bridge_vlan_info {u16 flags,
 * u16 vid}, PVID = 2, UNTAGGED = 4), the same layout sm-netlink's BridgeVlanMessagesTest checks
 * against iproute2's own messages.
 */
class VlanFilteringKernelTest {

    private static String hex(String spaced) {
        return spaced.replaceAll("#[^\n]*", "").replaceAll("\\s", "");
    }

    @Test
    void aMoveIsAddPvidUntaggedThenDeleteTheOldVlan() {
        List<NetlinkRequest> r = VlanFilteringKernel.moveRequests(7, 1, 2);
        assertEquals(2, r.size());
        assertEquals(hex("""
                2c000000 1300 0500 01000000 00000000   # len 44, RTM_SETLINK, REQUEST|ACK, seq 1, pid 0
                07 00 0000 07000000 00000000 00000000  # AF_BRIDGE, index 7, flags 0, change 0
                0c00 1a00                              # IFLA_AF_SPEC, len 12
                0800 0200 0600 0200                    #   IFLA_BRIDGE_VLAN_INFO {PVID|UNTAGGED, vid 2}
                """), HexFormat.of().formatHex(r.get(0).marshal(1, 0)));
        assertEquals(hex("""
                2c000000 1100 0500 02000000 00000000   # RTM_DELLINK, REQUEST|ACK, seq 2
                07 00 0000 07000000 00000000 00000000
                0c00 1a00 0800 0200 0000 0100          # IFLA_BRIDGE_VLAN_INFO {0, vid 1}
                """), HexFormat.of().formatHex(r.get(1).marshal(2, 0)));
    }

    @Test
    void snapshotReadsPvidsOfTheBridgePortsOnly() throws Exception {
        List<Link> links = List.of(link(2, "br0", 0, "bridge"), link(5, "p1", 2, "veth"), link(6, "up1", 2, "veth"),
                link(9, "other", 0, "veth"));
        List<BridgePortVlans> dump = List.of(
                new BridgePortVlans(2, "br0", 0, List.of(BridgeVlanInfo.accessVlan(1))),
                new BridgePortVlans(5, "p1", 2, List.of(BridgeVlanInfo.accessVlan(10))),
                new BridgePortVlans(6, "up1", 2, List.of(BridgeVlanInfo.of(10), BridgeVlanInfo.of(20))));
        VlanFilteringKernel.Ports s = VlanFilteringKernel.snapshotOf("br0", links, dump);
        assertTrue(s.hasPort("p1"));
        assertFalse(s.hasPort("other"));
        assertEquals(OptionalInt.of(10), s.vlan("p1"));
        assertEquals(OptionalInt.empty(), s.vlan("up1"));
        assertTrue(s.hasVlan(20));
        assertFalse(s.hasVlan(30));
        assertEquals("VLAN 30 on bridge br0", s.vlanHome(30));
    }

    private static Link link(int index, String name, int master, String kind) {
        return new Link(index, name, 0, master, Optional.empty(), 1500, 0, kind);
    }
}
