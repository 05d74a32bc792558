package net.sessionmigration.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An Ethernet frame carrying an ARP packet for IPv4 over Ethernet (RFC 826), all fields in
 * network byte order: destination MAC, source MAC, ethertype 0x0806, then htype 1, ptype
 * 0x0800, hlen 6, plen 4, operation, sender MAC, sender IP, target MAC, target IP. 42 bytes;
 * the driver pads to the 60-byte Ethernet minimum.
 */
public record ArpPacket(MacAddress destination, MacAddress source, int operation, MacAddress senderMac,
                        Inet4Address senderIp, MacAddress targetMac, Inet4Address targetIp) {
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    public static final int FRAME_SIZE = 42;

    /** The two ways hosts announce an address. */
    public enum Form {
        /**
         * ARP announcement (RFC 5227 section 2.3): a broadcast request whose sender and target IP are
         * the announced address and target MAC is zero. What the kernel itself sends; every
         * stack updates an existing cache entry from it.
         */
        REQUEST,
        /**
         * Unsolicited broadcast reply with sender and target both the announcer (iputils
         * {@code arping -A}); some old stacks only learn from replies.
         */
        REPLY
    }

    /** A gratuitous ARP announcing that {@code ip} is at {@code mac}, broadcast. */
    public static ArpPacket gratuitous(MacAddress mac, Inet4Address ip, Form form) {
        return form == Form.REQUEST
                ? new ArpPacket(MacAddress.BROADCAST, mac, REQUEST, mac, ip, MacAddress.ZERO, ip)
                : new ArpPacket(MacAddress.BROADCAST, mac, REPLY, mac, ip, mac, ip);
    }

    public boolean isGratuitous() {
        return senderIp.equals(targetIp);
    }

    public byte[] marshal() {
        return ByteBuffer.allocate(FRAME_SIZE)
                .put(destination.bytes()).put(source.bytes()).putShort((short) Rtnl.ETH_P_ARP)
                .putShort((short) 1).putShort((short) Rtnl.ETH_P_IP).put((byte) 6).put((byte) 4)
                .putShort((short) operation)
                .put(senderMac.bytes()).put(senderIp.getAddress())
                .put(targetMac.bytes()).put(targetIp.getAddress())
                .array();
    }

    /** Decodes a received frame (trailing padding allowed); rejects anything but IPv4-over-Ethernet ARP. */
    public static ArpPacket unmarshal(byte[] frame) {
        if (frame.length < FRAME_SIZE) {
            throw new IllegalArgumentException("ARP frame needs 42 bytes, got " + frame.length);
        }
        ByteBuffer in = ByteBuffer.wrap(frame);
        MacAddress dst = mac(in);
        MacAddress src = mac(in);
        int ethertype = Short.toUnsignedInt(in.getShort());
        int htype = Short.toUnsignedInt(in.getShort());
        int ptype = Short.toUnsignedInt(in.getShort());
        int hlen = Byte.toUnsignedInt(in.get());
        int plen = Byte.toUnsignedInt(in.get());
        if (ethertype != Rtnl.ETH_P_ARP || htype != 1 || ptype != Rtnl.ETH_P_IP || hlen != 6 || plen != 4) {
            throw new IllegalArgumentException(String.format(
                    "not IPv4-over-Ethernet ARP: ethertype 0x%04x htype %d ptype 0x%04x hlen %d plen %d",
                    ethertype, htype, ptype, hlen, plen));
        }
        int op = Short.toUnsignedInt(in.getShort());
        MacAddress sha = mac(in);
        Inet4Address spa = ip(in);
        MacAddress tha = mac(in);
        Inet4Address tpa = ip(in);
        return new ArpPacket(dst, src, op, sha, spa, tha, tpa);
    }

    private static MacAddress mac(ByteBuffer in) {
        byte[] b = new byte[6];
        in.get(b);
        return MacAddress.of(b);
    }

    private static Inet4Address ip(ByteBuffer in) {
        byte[] b = new byte[4];
        in.get(b);
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
