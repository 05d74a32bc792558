package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/**
 * Gratuitous ARP frames, against bytes written from RFC 826's packet layout (Ethernet II header,
 * then htype, ptype, hlen, plen, op, sha, spa, tha, tpa; network byte order) and RFC 5227 2.3
 * (announcement = request with spa = tpa = the address, tha = 0). The reply form follows
 * iputils {@code arping -A} (tha = sha).
 */
class ArpPacketTest {
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");

    @Test
    void announcementRequest() throws Exception {
        ArpPacket p = ArpPacket.gratuitous(MAC, (Inet4Address) InetAddress.getByName("10.0.0.5"), ArpPacket.Form.REQUEST);
        assertEquals(Hex.of(Hex.parse("""
                ffffffffffff 020000000001 0806   # Ethernet: broadcast, from MAC, ethertype ARP
                0001 0800 06 04 0001             # Ethernet/IPv4, hlen 6, plen 4, op request
                020000000001 0a000005            # sender MAC, sender IP 10.0.0.5
                000000000000 0a000005            # target MAC zero, target IP = sender IP
                """)), Hex.of(p.marshal()));
        assertTrue(p.isGratuitous());
    }

    @Test
    void unsolicitedReply() throws Exception {
        ArpPacket p = ArpPacket.gratuitous(MAC, (Inet4Address) InetAddress.getByName("10.0.0.5"), ArpPacket.Form.REPLY);
        assertEquals(Hex.of(Hex.parse("""
                ffffffffffff 020000000001 0806
                0001 0800 06 04 0002             # op reply
                020000000001 0a000005
                020000000001 0a000005            # target = sender
                """)), Hex.of(p.marshal()));
    }

    @Test
    void roundTripsAndAcceptsPadding() throws Exception {
        ArpPacket p = ArpPacket.gratuitous(MAC, (Inet4Address) InetAddress.getByName("192.0.2.77"), ArpPacket.Form.REPLY);
        byte[] padded = java.util.Arrays.copyOf(p.marshal(), 60);
        assertEquals(p, ArpPacket.unmarshal(padded));
    }

    @Test
    void rejectsOtherFrames() {
        byte[] ipv4Frame = new byte[60];
        ipv4Frame[12] = 0x08;
        assertThrows(IllegalArgumentException.class, () -> ArpPacket.unmarshal(ipv4Frame));
        assertThrows(IllegalArgumentException.class, () -> ArpPacket.unmarshal(new byte[10]));
    }

    @Test
    void sockaddrLlLayout() {
        assertEquals(Hex.of(Hex.parse("""
                1100        # sll_family AF_PACKET, host order
                0806        # sll_protocol ETH_P_ARP, network order
                07000000    # sll_ifindex 7
                0000 00 06  # hatype, pkttype, halen 6
                ffffffffffff 0000  # sll_addr[8]
                """)), Hex.of(PacketSocket.sockaddrLl(Rtnl.ETH_P_ARP, 7, MacAddress.BROADCAST)));
        assertEquals(0x0608, PacketSocket.htons(Rtnl.ETH_P_ARP));
    }
}
