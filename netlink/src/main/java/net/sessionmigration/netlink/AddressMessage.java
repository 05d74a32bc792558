package net.sessionmigration.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR payload: {@code struct ifaddrmsg} (u8 family,
 * u8 prefixlen, u8 flags, u8 scope, u32 index) followed by IFA_* attributes.
 */
public record AddressMessage(int family, int prefixLength, int flags, int scope, int index,
                             List<NetlinkAttribute> attributes) {
    public static final int HEADER = 8;

    public AddressMessage {
        attributes = List.copyOf(attributes);
    }

    public byte[] marshal() {
        ByteBuffer out = ByteBuffer.allocate(HEADER + NetlinkAttribute.Attributes.size(attributes))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(index);
        NetlinkAttribute.Attributes.write(out, attributes);
        return out.array();
    }

    public static AddressMessage unmarshal(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < HEADER) {
            throw new IllegalArgumentException("ifaddrmsg needs 8 bytes, got " + payload.length);
        }
        return new AddressMessage(Byte.toUnsignedInt(in.get()), Byte.toUnsignedInt(in.get()),
                Byte.toUnsignedInt(in.get()), Byte.toUnsignedInt(in.get()), in.getInt(),
                NetlinkAttribute.Attributes.parse(in));
    }

    public Optional<NetlinkAttribute> attribute(int kind) {
        return NetlinkAttribute.Attributes.find(attributes, kind);
    }
}
