package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven marshal/unmarshal round trips, in the manner of jsimonetti/rtnetlink's tests. */
class MessageRoundTripTest {

    static Stream<Arguments> attributes() {
        return Stream.of(
                Arguments.of("u8 pads 3", NetlinkAttribute.u8(16, 6), "0500 1000 06 000000"),
                Arguments.of("u16 pads 2", NetlinkAttribute.u16(2, 0x1234), "0600 0200 3412 0000"),
                Arguments.of("u32 no pad", NetlinkAttribute.u32(10, 3), "0800 0a00 03000000"),
                Arguments.of("string with NUL", NetlinkAttribute.string(3, "br-v2"), "0a00 0300 62722d7632 00 0000"),
                Arguments.of("empty", new NetlinkAttribute(7, new byte[0]), "0400 0700"),
                Arguments.of("nested", NetlinkAttribute.nested(26,
                        List.of(new NetlinkAttribute(2, BridgeVlanInfo.accessVlan(4094).marshal()))),
                        "0c00 1a00 0800 0200 0600 fe0f"),
                Arguments.of("NLA_F_NESTED kept", new NetlinkAttribute(0x8000 | 26, new byte[0]), "0400 1a80"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attributes")
    void attributeRoundTrip(String name, NetlinkAttribute attribute, String hex) {
        byte[] wire = NetlinkAttribute.Attributes.marshal(List.of(attribute));
        assertEquals(Hex.of(Hex.parse(hex)), Hex.of(wire));
        List<NetlinkAttribute> back = NetlinkAttribute.Attributes.parse(java.nio.ByteBuffer.wrap(wire)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(List.of(attribute), back);
        assertEquals(attribute.type() & 0x3fff, back.get(0).kind());
    }

    static Stream<Arguments> linkMessages() {
        return Stream.of(
                Arguments.of("bare", new LinkMessage(0, 0, 0, 0, 0, List.of())),
                Arguments.of("set master", new LinkMessage(0, 0, 5, 0, 0, List.of(NetlinkAttribute.u32(10, 3)))),
                Arguments.of("up", new LinkMessage(0, 1, 7, Rtnl.IFF_UP, Rtnl.IFF_UP, List.of())),
                Arguments.of("negative index and high flags", new LinkMessage(17, 0xffff, -1, 0x80000000, -1,
                        List.of(NetlinkAttribute.string(3, "x")))),
                Arguments.of("bridge vlan", new LinkMessage(7, 0, 5, 0, 0, List.of(NetlinkAttribute.nested(26,
                        List.of(new NetlinkAttribute(2, BridgeVlanInfo.of(10).marshal()),
                                new NetlinkAttribute(2, BridgeVlanInfo.accessVlan(20).marshal())))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkMessages")
    void linkMessageRoundTrip(String name, LinkMessage m) {
        assertEquals(m, LinkMessage.unmarshal(m.marshal()));
    }

    static Stream<Arguments> addressMessages() throws Exception {
        byte[] v4 = InetAddress.getByName("10.0.0.1").getAddress();
        byte[] v6 = InetAddress.getByName("fd00::1").getAddress();
        return Stream.of(
                Arguments.of("v4", new AddressMessage(2, 24, 0, 0, 5, List.of(new NetlinkAttribute(2, v4),
                        new NetlinkAttribute(1, v4), NetlinkAttribute.string(3, "eth0")))),
                Arguments.of("v6 nodad", new AddressMessage(10, 64, 2, 0, 9, List.of(new NetlinkAttribute(1, v6),
                        NetlinkAttribute.u32(8, 0x82)))),
                Arguments.of("dump request", new AddressMessage(0, 0, 0, 0, 0, List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("addressMessages")
    void addressMessageRoundTrip(String name, AddressMessage m) {
        assertEquals(m, AddressMessage.unmarshal(m.marshal()));
    }

    @Test
    void bridgeVlanInfoAndMacRoundTrip() {
        for (BridgeVlanInfo v : List.of(BridgeVlanInfo.of(1), BridgeVlanInfo.accessVlan(4094),
                new BridgeVlanInfo(Rtnl.BRIDGE_VLAN_INFO_RANGE_BEGIN, 100))) {
            assertEquals(v, BridgeVlanInfo.unmarshal(v.marshal()));
        }
        MacAddress mac = MacAddress.parse("7a:64:16:d4:50:25");
        assertEquals("7a:64:16:d4:50:25", mac.toString());
        assertEquals(mac, MacAddress.of(mac.bytes()));
    }
}
