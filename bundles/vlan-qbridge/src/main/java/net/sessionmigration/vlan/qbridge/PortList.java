package net.sessionmigration.vlan.qbridge;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Q-BRIDGE-MIB PortList (RFC 4363): one bit per dot1dBasePort, port 1 is the most
 * significant bit of the first octet. Immutable; keeps the length the switch answered with,
 * because a switch may reject a PortList of another length.
 */
public final class PortList {
    private final byte[] octets;

    private PortList(byte[] octets) {
        this.octets = octets;
    }

    public static PortList of(byte[] octets) {
        return new PortList(octets.clone());
    }

    public static PortList empty(int octetCount) {
        return new PortList(new byte[octetCount]);
    }

    public static PortList ofPorts(int octetCount, Collection<Integer> ports) {
        PortList list = empty(octetCount);
        for (int p : ports) {
            list = list.with(p);
        }
        return list;
    }

    public boolean contains(int port) {
        checkPort(port);
        int index = (port - 1) / 8;
        return index < octets.length && (octets[index] & mask(port)) != 0;
    }

    /** This list with {@code port} added, grown if the port lies past its end. */
    public PortList with(int port) {
        checkPort(port);
        byte[] copy = Arrays.copyOf(octets, Math.max(octets.length, (port + 7) / 8));
        copy[(port - 1) / 8] |= mask(port);
        return new PortList(copy);
    }

    public PortList without(int port) {
        checkPort(port);
        int index = (port - 1) / 8;
        if (index >= octets.length) {
            return this;
        }
        byte[] copy = octets.clone();
        copy[index] &= (byte) ~mask(port);
        return new PortList(copy);
    }

    public SortedSet<Integer> ports() {
        SortedSet<Integer> out = new TreeSet<>();
        BitSet bits = new BitSet();
        for (int i = 0; i < octets.length; i++) {
            for (int b = 0; b < 8; b++) {
                if ((octets[i] & (0x80 >> b)) != 0) {
                    bits.set(i * 8 + b + 1);
                }
            }
        }
        bits.stream().forEach(out::add);
        return out;
    }

    public byte[] octets() {
        return octets.clone();
    }

    private static int mask(int port) {
        return 0x80 >> ((port - 1) % 8);
    }

    private static void checkPort(int port) {
        if (port < 1) {
            throw new IllegalArgumentException("port number " + port + " is not a dot1dBasePort (1 or more)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortList other && Arrays.equals(octets, other.octets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(octets);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (byte b : octets) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", b & 0xff));
        }
        return sb + " " + ports();
    }
}
