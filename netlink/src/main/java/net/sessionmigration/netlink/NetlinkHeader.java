package net.sessionmigration.netlink;

import java.nio.ByteBuffer;

/**
 * {@code struct nlmsghdr}: u32 length, u16 type, u16 flags, u32 sequence, u32 port id, in host
 * (little-endian) order.
 */
public record NetlinkHeader(int length, int type, int flags, int sequence, int portId) {
    public static final int SIZE = 16;

    public void marshal(ByteBuffer out) {
        out.putInt(length).putShort((short) type).putShort((short) flags).putInt(sequence).putInt(portId);
    }

    public static NetlinkHeader unmarshal(ByteBuffer in) {
        if (in.remaining() < SIZE) {
            throw new IllegalArgumentException("netlink header needs 16 bytes, " + in.remaining() + " left");
        }
        return new NetlinkHeader(in.getInt(), Short.toUnsignedInt(in.getShort()),
                Short.toUnsignedInt(in.getShort()), in.getInt(), in.getInt());
    }
}
