package net.sessionmigration.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One netlink attribute ({@code struct nlattr}: u16 length, u16 type, value, padding to 4
 * bytes). {@link #type()} keeps the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits as sent;
 * {@link #kind()} strips them.
 */
public record NetlinkAttribute(int type, byte[] value) {
    public static final int HEADER = 4;

    public NetlinkAttribute {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("attribute type out of range: " + type);
        }
        if (value.length > 0xffff - HEADER) {
            throw new IllegalArgumentException("attribute value too long: " + value.length);
        }
        value = value.clone();
    }

    public static NetlinkAttribute u8(int type, int v) {
        return new NetlinkAttribute(type, new byte[] {(byte) v});
    }

    public static NetlinkAttribute u16(int type, int v) {
        return new NetlinkAttribute(type, le(2).putShort((short) v).array());
    }

    public static NetlinkAttribute u32(int type, int v) {
        return new NetlinkAttribute(type, le(4).putInt(v).array());
    }

    /** A NUL-terminated string, as the kernel expects for IFLA_IFNAME and IFA_LABEL. */
    public static NetlinkAttribute string(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new NetlinkAttribute(type, Arrays.copyOf(b, b.length + 1));
    }

    /**
     * A nested attribute. The NLA_F_NESTED flag is not set: iproute2's addattr_nest does not set
     * it for IFLA_AF_SPEC and the kernel's rtnetlink parsers accept either.
     */
    public static NetlinkAttribute nested(int type, List<NetlinkAttribute> children) {
        return new NetlinkAttribute(type, Attributes.marshal(children));
    }

    public int kind() {
        return type & Rtnl.NLA_TYPE_MASK;
    }

    public boolean isNested() {
        return (type & Rtnl.NLA_F_NESTED) != 0;
    }

    /** Length on the wire including header and padding. */
    public int alignedSize() {
        return Attributes.align(HEADER + value.length);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public int asU8() {
        requireLength(1);
        return Byte.toUnsignedInt(value[0]);
    }

    public int asU16() {
        requireLength(2);
        return Short.toUnsignedInt(ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getShort());
    }

    public int asU32() {
        requireLength(4);
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** The value as a string, up to the first NUL. */
    public String asString() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    public List<NetlinkAttribute> asNested() {
        return Attributes.parse(ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN));
    }

    private void requireLength(int n) {
        if (value.length < n) {
            throw new IllegalArgumentException("attribute " + kind() + " has " + value.length
                    + " bytes, expected at least " + n);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "NetlinkAttribute[type=" + type + ", value=" + HexFormat.of().formatHex(value) + "]";
    }

    /** Encoding and decoding of attribute sequences. */
    public static final class Attributes {
        private Attributes() {
        }

        public static int align(int n) {
            return (n + 3) & ~3;
        }

        public static int size(List<NetlinkAttribute> attributes) {
            int n = 0;
            for (NetlinkAttribute a : attributes) {
                n += a.alignedSize();
            }
            return n;
        }

        public static byte[] marshal(List<NetlinkAttribute> attributes) {
            ByteBuffer out = ByteBuffer.allocate(size(attributes)).order(ByteOrder.LITTLE_ENDIAN);
            write(out, attributes);
            return out.array();
        }

        /** Writes each attribute with its padding zeroed. */
        public static void write(ByteBuffer out, List<NetlinkAttribute> attributes) {
            for (NetlinkAttribute a : attributes) {
                int start = out.position();
                out.putShort((short) (HEADER + a.value.length)).putShort((short) a.type).put(a.value);
                while (out.position() < start + a.alignedSize()) {
                    out.put((byte) 0);
                }
            }
        }

        /** Reads attributes until the buffer is exhausted; trailing bytes shorter than a header are ignored. */
        public static List<NetlinkAttribute> parse(ByteBuffer in) {
            List<NetlinkAttribute> out = new ArrayList<>();
            while (in.remaining() >= HEADER) {
                int start = in.position();
                int length = Short.toUnsignedInt(in.getShort());
                int type = Short.toUnsignedInt(in.getShort());
                if (length < HEADER || length - HEADER > in.remaining()) {
                    throw new IllegalArgumentException("malformed attribute at offset " + start + ": length "
                            + length + " with " + (in.remaining() + HEADER) + " bytes left");
                }
                byte[] value = new byte[length - HEADER];
                in.get(value);
                out.add(new NetlinkAttribute(type, value));
                in.position(Math.min(in.limit(), start + align(length)));
            }
            return out;
        }

        /** The first attribute of that kind (flags ignored). */
        public static Optional<NetlinkAttribute> find(List<NetlinkAttribute> attributes, int kind) {
            for (NetlinkAttribute a : attributes) {
                if (a.kind() == kind) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
    }
}
