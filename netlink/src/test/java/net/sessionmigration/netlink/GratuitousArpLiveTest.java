package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Announcing a virtual IP: a gratuitous ARP sent from one end of a veth pair in a fresh
 * namespace must arrive at the other end, read there with our own ARP receive socket.
 */
class GratuitousArpLiveTest {
    private static final int PACKET_BROADCAST = 1;
    private LiveNamespace ns;

    @BeforeEach
    void setUp() {
        ns = LiveNamespace.create();
        try {
            ns.ip("link", "add", "garp0", "type", "veth", "peer", "name", "garp1");
            ns.ip("link", "set", "dev", "garp0", "up");
            ns.ip("link", "set", "dev", "garp1", "up");
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    @Test
    void announcementArrivesAtThePeerInBothForms() throws Exception {
        Inet4Address vip = (Inet4Address) InetAddress.getByName("10.99.0.1");
        try (RtNetlink rt = RtNetlink.openInNamespace(ns.name)) {
            Link from = rt.requireLink("garp0");
            Link to = rt.requireLink("garp1");
            rt.addAddress("garp0", vip, 24);   // the daemon's order: VIP first, then announce it
            try (PacketSocket receiver = PacketSocket.openArpReceiverInNamespace(ns.name, to.index());
                 PacketSocket sender = PacketSocket.openSenderInNamespace(ns.name)) {
                for (ArpPacket.Form form : ArpPacket.Form.values()) {
                    sender.sendGratuitousArp(from, vip, form);
                    ArpPacket got = awaitArpFor(receiver, vip, Duration.ofSeconds(3));
                    assertEquals(ArpPacket.gratuitous(from.mac().orElseThrow(), vip, form), got, form.name());
                }
            }
        }
    }

    @Test
    void sendingOnAMissingInterfaceFailsClearly() throws Exception {
        try (RtNetlink rt = RtNetlink.openInNamespace(ns.name);
             PacketSocket sender = PacketSocket.openSenderInNamespace(ns.name)) {
            Link real = rt.requireLink("garp0");
            Link gone = new Link(9999, "ghost0", 0, 0, real.mac(), 1500, 0, "");
            NetlinkException e = assertThrows(NetlinkException.class, () -> sender.sendGratuitousArp(gone,
                    (Inet4Address) InetAddress.getByName("10.99.0.1"), ArpPacket.Form.REQUEST));
            assertTrue(e.getMessage().startsWith("send gratuitous ARP (request) for 10.99.0.1 on ghost0: "),
                    e.getMessage());
            assertTrue(e.errno() != 0, e.getMessage());
        }
    }

    private static ArpPacket awaitArpFor(PacketSocket receiver, Inet4Address ip, Duration patience) throws Exception {
        Instant deadline = Instant.now().plus(patience);
        while (Instant.now().isBefore(deadline)) {
            Optional<PacketSocket.ReceivedFrame> f = receiver.receive(Duration.between(Instant.now(), deadline));
            if (f.isEmpty()) {
                break;
            }
            ArpPacket p = ArpPacket.unmarshal(f.get().frame());
            if (p.senderIp().equals(ip)) {
                assertEquals(PACKET_BROADCAST, f.get().packetType(), "arrived as a broadcast");
                return p;
            }
        }
        fail("no gratuitous ARP for " + ip.getHostAddress() + " arrived within " + patience);
        return null;
    }
}
