package net.sessionmigration.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** A netlink message: header plus payload (the family header and attributes, still encoded). */
public record NetlinkMessage(NetlinkHeader header, byte[] payload) {

    public NetlinkMessage {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }

    public int type() {
        return header.type();
    }

    /** Encodes with {@code nlmsg_len} computed from the payload (the header's length is ignored). */
    public byte[] marshal() {
        int length = NetlinkHeader.SIZE + payload.length;
        ByteBuffer out = ByteBuffer.allocate(NetlinkAttribute.Attributes.align(length)).order(ByteOrder.LITTLE_ENDIAN);
        new NetlinkHeader(length, header.type(), header.flags(), header.sequence(), header.portId()).marshal(out);
        out.put(payload);
        return out.array();
    }

    /** Splits a datagram into its messages (each aligned to 4 bytes). */
    public static List<NetlinkMessage> parseAll(ByteBuffer in) {
        in.order(ByteOrder.LITTLE_ENDIAN);
        List<NetlinkMessage> out = new ArrayList<>();
        while (in.remaining() >= NetlinkHeader.SIZE) {
            int start = in.position();
            NetlinkHeader h = NetlinkHeader.unmarshal(in);
            if (h.length() < NetlinkHeader.SIZE || h.length() - NetlinkHeader.SIZE > in.remaining()) {
                throw new IllegalArgumentException("malformed netlink message at offset " + start + ": length "
                        + h.length() + " with " + (in.remaining() + NetlinkHeader.SIZE) + " bytes left");
            }
            byte[] payload = new byte[h.length() - NetlinkHeader.SIZE];
            in.get(payload);
            out.add(new NetlinkMessage(h, payload));
            in.position(Math.min(in.limit(), start + NetlinkAttribute.Attributes.align(h.length())));
        }
        return out;
    }

    public static List<NetlinkMessage> parseAll(byte[] datagram) {
        return parseAll(ByteBuffer.wrap(datagram));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && m.header.equals(header) && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * header.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkMessage[" + header + ", payload=" + HexFormat.of().formatHex(payload) + "]";
    }
}
