package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/**
 * Bridge VLAN filtering messages. The lab kernel has no CONFIG_BRIDGE_VLAN_FILTERING, so these
 * cannot run live; the expected bytes are derived by hand from the uapi layout and
 * cross-checked against iproute2:
 * <ul>
 * <li>linux/netlink.h {@code struct nlmsghdr} {u32 len; u16 type; u16 flags; u32 seq; u32 pid},
 *     host order (little-endian here);</li>
 * <li>linux/rtnetlink.h {@code struct ifinfomsg} {u8 family; u8 pad; u16 type; s32 index;
 *     u32 flags; u32 change} with family AF_BRIDGE = 7, RTM_SETLINK = 19 (0x13),
 *     RTM_DELLINK = 17 (0x11), RTM_GETLINK = 18 (0x12);</li>
 * <li>linux/if_link.h IFLA_AF_SPEC = 26 (0x1a), IFLA_EXT_MASK = 29 (0x1d), IFLA_MASTER = 10;</li>
 * <li>linux/if_bridge.h IFLA_BRIDGE_VLAN_INFO = 2, {@code struct bridge_vlan_info}
 *     {u16 flags; u16 vid}, BRIDGE_VLAN_INFO_PVID = 2, _UNTAGGED = 4, _RANGE_BEGIN = 8,
 *     _RANGE_END = 16; linux/rtnetlink.h RTEXT_FILTER_BRVLAN = 2;</li>
 * <li>attributes: {u16 len (header + value, unpadded); u16 type} then value padded to 4.</li>
 * </ul>
 * iproute2 6.1 ({@code bridge vlan add dev veth-u1 vid 20 pvid untagged} / {@code del ... vid 10},
 * captured with strace, see {@link RtnlRequestsTest}) sent exactly these bytes; the kernel then
 * answered EOPNOTSUPP, which {@link KernelRepliesTest} decodes. The dump replies below follow
 * net/bridge/br_netlink.c {@code br_fill_ifinfo()}: the port's IFLA_IFNAME, IFLA_MASTER,
 * IFLA_MTU, IFLA_OPERSTATE, IFLA_ADDRESS, then an IFLA_AF_SPEC nest (no NLA_F_NESTED,
 * {@code nla_nest_start_noflag}) holding one IFLA_BRIDGE_VLAN_INFO per VLAN.
 */
class BridgeVlanMessagesTest {

    @Test
    void moveAccessVlanIsAnAddWithPvidUntaggedThenADelete() {
        byte[] add = RtnlRequests.addBridgeVlan(5, BridgeVlanInfo.accessVlan(30)).marshal(7, 0);
        byte[] del = RtnlRequests.deleteBridgeVlan(5, 20).marshal(8, 0);
        assertEquals(Hex.of(Hex.parse("""
                2c000000            # nlmsg_len 44 = 16 nlmsghdr + 16 ifinfomsg + 12 IFLA_AF_SPEC
                1300 0500           # RTM_SETLINK, NLM_F_REQUEST|NLM_F_ACK
                07000000 00000000   # seq 7, pid 0 (kernel)
                07 00 0000          # ifi_family AF_BRIDGE, pad, ifi_type 0
                05000000            # ifi_index 5
                00000000 00000000   # ifi_flags, ifi_change
                0c00 1a00           # IFLA_AF_SPEC, len 4 + 8
                0800 0200           #   IFLA_BRIDGE_VLAN_INFO, len 4 + 4
                0600 1e00           #   flags PVID|UNTAGGED = 6, vid 30 = 0x1e
                """)), Hex.of(add));
        assertEquals(Hex.of(Hex.parse("""
                2c000000 1100 0500 08000000 00000000   # RTM_DELLINK, REQUEST|ACK, seq 8
                07 00 0000 05000000 00000000 00000000
                0c00 1a00 0800 0200 0000 1400          # VLAN_INFO {flags 0, vid 20}
                """)), Hex.of(del));
    }

    /** A VLAN-filtering port as br_fill_ifinfo reports it: VLAN 10 tagged, VLAN 20 PVID untagged. */
    static final String FILTERING_PORT = """
            64000000 1000 0200 01000000 34120000   # len 100, RTM_NEWLINK, NLM_F_MULTI, seq 1, pid 0x1234
            07 00 0100 05000000 02100000 00000000  # AF_BRIDGE, ARPHRD_ETHER, index 5, BROADCAST|MULTICAST
            0c00 0300 76657468 2d753100            # IFLA_IFNAME "veth-u1"
            0800 0a00 02000000                     # IFLA_MASTER 2
            0800 0400 dc050000                     # IFLA_MTU 1500
            0500 1000 02 000000                    # IFLA_OPERSTATE DOWN + 3 pad
            0a00 0100 7a6416d45025 0000            # IFLA_ADDRESS + 2 pad
            1400 1a00                              # IFLA_AF_SPEC, len 4 + 2 * 8
              0800 0200 0000 0a00                  #   VLAN_INFO {0, 10}
              0800 0200 0600 1400                  #   VLAN_INFO {PVID|UNTAGGED, 20}
            """;

    @Test
    void decodesVlansOfAFilteringPort() {
        List<NetlinkMessage> msgs = NetlinkMessage.parseAll(Hex.parse(FILTERING_PORT));
        assertEquals(1, msgs.size());
        BridgePortVlans port = BridgePortVlans.from(LinkMessage.unmarshal(msgs.get(0).payload()));
        assertEquals(new BridgePortVlans(5, "veth-u1", 2,
                List.of(new BridgeVlanInfo(0, 10), BridgeVlanInfo.accessVlan(20))), port);
        assertEquals(OptionalInt.of(20), port.pvid());
    }

    @Test
    void expandsCompressedRanges() {
        // RTEXT_FILTER_BRVLAN_COMPRESSED: a run of VLANs with equal flags as RANGE_BEGIN .. RANGE_END
        byte[] payload = Hex.parse("""
                07 00 0100 05000000 00000000 00000000
                1c00 1a00
                  0800 0200 0600 0100                  # {PVID|UNTAGGED, 1}
                  0800 0200 0800 6400                  # {RANGE_BEGIN, 100}
                  0800 0200 1000 6700                  # {RANGE_END, 103}
                """);
        BridgePortVlans port = BridgePortVlans.from(LinkMessage.unmarshal(payload));
        assertEquals(List.of(BridgeVlanInfo.accessVlan(1), BridgeVlanInfo.of(100), BridgeVlanInfo.of(101),
                BridgeVlanInfo.of(102), BridgeVlanInfo.of(103)), port.vlans());
    }

    @Test
    void encodesTheDecodedPortBackToTheSameBytes() {
        byte[] wire = Hex.parse(FILTERING_PORT);
        NetlinkMessage m = NetlinkMessage.parseAll(wire).get(0);
        LinkMessage link = LinkMessage.unmarshal(m.payload());
        NetlinkMessage again = new NetlinkMessage(m.header(), link.marshal());
        assertEquals(Hex.of(wire), Hex.of(again.marshal()));
    }

    @Test
    void decodesTheLabKernelsBridgeDumpAsPortsWithoutVlans() {
        List<NetlinkMessage> msgs = NetlinkMessage.parseAll(Hex.resource("afbridge-dump.hex"));
        assertEquals(3, msgs.size());
        List<BridgePortVlans> ports = msgs.stream()
                .map(m -> BridgePortVlans.from(LinkMessage.unmarshal(m.payload()))).toList();
        assertEquals(List.of("br-v1", "br-v2", "veth-u1"), ports.stream().map(BridgePortVlans::name).toList());
        BridgePortVlans port = ports.get(2);
        assertEquals(5, port.index());
        assertEquals(2, port.masterIndex());
        assertTrue(port.vlans().isEmpty());
        assertFalse(port.pvid().isPresent());
    }
}
