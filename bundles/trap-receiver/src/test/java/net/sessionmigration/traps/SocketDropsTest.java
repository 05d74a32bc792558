package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The kernel's drops on a UDP socket, as migration:traps shows them. */
class SocketDropsTest {

    @Test
    void readsTheDropsColumnOfTheRowsOnThePort() {
        List<String> table = List.of(
                "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
                "  1: 0100007F:27A2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4711 2 0000000000000000 2992",
                "  2: 0100007F:27A3 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4712 2 0000000000000000 5");
        assertEquals(2992, SocketDrops.onPort(table, 10146));
        assertEquals(0, SocketDrops.onPort(table, 161));
    }

    @Test
    void aSocketNobodyReadsCountsItsDropsInTheKernel() throws Exception {
        try (DatagramSocket full = new DatagramSocket(null); DatagramSocket sender = new DatagramSocket()) {
            full.setReceiveBufferSize(4096); // the kernel rounds it up, still a few datagrams only
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = full.getLocalPort();
            assertEquals(0, SocketDrops.onPort(port), "a new socket has dropped nothing");
            byte[] data = new byte[1000];
            for (int i = 0; i < 2000; i++) {
                sender.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
            }
            long drops = SocketDrops.onPort(port);
            assertTrue(drops > 0 && drops < 2000, "drops counted by the kernel: " + drops);
        }
    }
}
