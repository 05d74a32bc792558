package net.sessionmigration.daemon;

import java.io.IOException;
import java.net.Inet4Address;

import net.sessionmigration.netlink.ArpPacket;
import net.sessionmigration.netlink.Link;
import net.sessionmigration.netlink.NetlinkException;
import net.sessionmigration.netlink.PacketSocket;
import net.sessionmigration.netlink.RtNetlink;

/**
 * The virtual IP on this server (the daemon runs inside the server's network namespace, so the
 * sockets are opened here): add, remove, test, announce. Idempotent: adding what is there and
 * removing what is not are successes.
 */
public class VirtualIpControl {
    private static final int EEXIST = 17;
    private static final int EADDRNOTAVAIL = 99;

    public synchronized boolean present(String iface, Inet4Address vip) throws IOException {
        try (RtNetlink rt = RtNetlink.open()) {
            return rt.addresses(iface).stream().anyMatch(a -> a.address().equals(vip));
        }
    }

    /** Adds v/32; returns false if it was already there. */
    public synchronized boolean add(String iface, Inet4Address vip) throws IOException {
        try (RtNetlink rt = RtNetlink.open()) {
            rt.addAddress(iface, vip, 32);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /** Removes v/32; returns false if it was not there. */
    public synchronized boolean remove(String iface, Inet4Address vip) throws IOException {
        try (RtNetlink rt = RtNetlink.open()) {
            rt.deleteAddress(iface, vip, 32);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == EADDRNOTAVAIL) {
                return false;
            }
            throw e;
        }
    }

    /**
     * One sender for the daemon's life (it names the interface in each frame): closing a packet
     * socket waits for an RCU grace period in the kernel ({@code packet_release} calls
     * {@code synchronize_net}), 8-16 ms on the lab, and the resume announces inside the users' freeze.
     */
    private PacketSocket sender;

    /** Gratuitous ARP in both forms (announcement request, unsolicited reply), {@code count} rounds. */
    public void announce(String iface, Inet4Address vip, int count) throws IOException, InterruptedException {
        Link link;
        try (RtNetlink rt = RtNetlink.open()) {
            link = rt.requireLink(iface);
        }
        PacketSocket ps = sender();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                Thread.sleep(20);
            }
            ps.sendGratuitousArp(link, vip, ArpPacket.Form.REQUEST);
            ps.sendGratuitousArp(link, vip, ArpPacket.Form.REPLY);
        }
    }

    private synchronized PacketSocket sender() throws NetlinkException {
        if (sender == null) {
            sender = PacketSocket.openSender();
        }
        return sender;
    }
}
