package net.sessionmigration.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct bridge_vlan_info} from linux/if_bridge.h: u16 flags, u16 vid, host order.
 */
public record BridgeVlanInfo(int flags, int vid) {
    public static final int SIZE = 4;

    public BridgeVlanInfo {
        if (vid < 1 || vid > 4094) {
            throw new IllegalArgumentException("VLAN id must be 1..4094, got " + vid);
        }
        if (flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("bridge VLAN flags out of range: " + flags);
        }
    }

    /** The access-port form: this VLAN is the port's PVID and leaves the port untagged. */
    public static BridgeVlanInfo accessVlan(int vid) {
        return new BridgeVlanInfo(Rtnl.BRIDGE_VLAN_INFO_PVID | Rtnl.BRIDGE_VLAN_INFO_UNTAGGED, vid);
    }

    public static BridgeVlanInfo of(int vid) {
        return new BridgeVlanInfo(0, vid);
    }

    public boolean isPvid() {
        return (flags & Rtnl.BRIDGE_VLAN_INFO_PVID) != 0;
    }

    public boolean isUntagged() {
        return (flags & Rtnl.BRIDGE_VLAN_INFO_UNTAGGED) != 0;
    }

    public byte[] marshal() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).putShort((short) flags).putShort((short) vid)
                .array();
    }

    public static BridgeVlanInfo unmarshal(byte[] b) {
        if (b.length < SIZE) {
            throw new IllegalArgumentException("bridge_vlan_info needs 4 bytes, got " + b.length);
        }
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return new BridgeVlanInfo(Short.toUnsignedInt(in.getShort()), Short.toUnsignedInt(in.getShort()));
    }
}
