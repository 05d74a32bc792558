package net.sessionmigration.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK payload: {@code struct ifinfomsg}
 * (u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change) followed by IFLA_* attributes.
 */
public record LinkMessage(int family, int deviceType, int index, int flags, int change,
                          List<NetlinkAttribute> attributes) {
    public static final int HEADER = 16;

    public LinkMessage {
        attributes = List.copyOf(attributes);
    }

    public byte[] marshal() {
        ByteBuffer out = ByteBuffer.allocate(HEADER + NetlinkAttribute.Attributes.size(attributes))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) family).put((byte) 0).putShort((short) deviceType).putInt(index).putInt(flags).putInt(change);
        NetlinkAttribute.Attributes.write(out, attributes);
        return out.array();
    }

    public static LinkMessage unmarshal(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < HEADER) {
            throw new IllegalArgumentException("ifinfomsg needs 16 bytes, got " + payload.length);
        }
        int family = Byte.toUnsignedInt(in.get());
        in.get();
        int type = Short.toUnsignedInt(in.getShort());
        int index = in.getInt();
        int flags = in.getInt();
        int change = in.getInt();
        return new LinkMessage(family, type, index, flags, change, NetlinkAttribute.Attributes.parse(in));
    }

    public Optional<NetlinkAttribute> attribute(int kind) {
        return NetlinkAttribute.Attributes.find(attributes, kind);
    }
}
