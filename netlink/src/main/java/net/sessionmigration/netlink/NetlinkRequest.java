package net.sessionmigration.netlink;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A request ready to send: message type, flags and encoded payload. The socket adds the
 * sequence number; {@link #marshal(int, int)} is what goes on the wire.
 */
public record NetlinkRequest(int type, int flags, byte[] payload) {

    public NetlinkRequest {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public boolean isDump() {
        return (flags & Rtnl.NLM_F_DUMP) == Rtnl.NLM_F_DUMP;
    }

    public byte[] marshal(int sequence, int portId) {
        return new NetlinkMessage(new NetlinkHeader(0, type, flags, sequence, portId), payload).marshal();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkRequest r && r.type == type && r.flags == flags && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        return (31 * type + flags) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkRequest[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", payload="
                + HexFormat.of().formatHex(payload) + "]";
    }
}
